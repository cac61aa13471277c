import { type ArtifactStore, createFsStore } from "@deploykit/core";
import { createMemoryStore } from "@deploykit/core/testing";
import { tempDir } from "./package";

/** The two stores that ship embedded, for tests that run the same case against each. */
export const embeddedStores: [string, (dir: string) => ArtifactStore][] = [
  ["filesystem store", (dir) => createFsStore({ dir: `${dir}/store` })],
  ["memory store", () => createMemoryStore()],
];

/** A temp work dir and a store of the given kind in it. */
export async function workspace(makeStore: (dir: string) => ArtifactStore) {
  const { dir, cleanup } = await tempDir();
  return { dir, store: makeStore(dir), cleanup };
}
