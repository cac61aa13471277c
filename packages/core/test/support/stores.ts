import { type ArtifactStore, createFsStore } from "@deploykit/core";
import type { S3StoreOptions } from "@deploykit/core/s3";
import { createMemoryStore } from "@deploykit/core/testing";
import type { TestS3 } from "../../../../test-support/s3/index.mjs";
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

/** Options for an S3 store under its own prefix in the loopback test server's bucket. */
export const s3StoreOptions = (s3: TestS3, prefix: string): S3StoreOptions => ({
  bucket: s3.bucket,
  prefix: `${s3.prefix}/${prefix}`,
  endpoint: s3.endpoint,
  region: s3.region,
  credentials: s3.credentials,
});
