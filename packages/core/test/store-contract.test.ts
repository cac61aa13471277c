import { createFsStore } from "@deploykit/core";
import { createMemoryStore, storeContractCases } from "@deploykit/core/testing";
import { afterAll, describe, it } from "vitest";
import { tempDir } from "./support/package";

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
});

describe("filesystem store contract", () => {
  for (const c of storeContractCases(async () => {
    const { dir, cleanup } = await tempDir("dk-fs-store-");
    cleanups.push(cleanup);
    return createFsStore({ dir });
  })) {
    it(c.name, c.run);
  }
});

describe("memory store contract", () => {
  for (const c of storeContractCases(() => createMemoryStore())) it(c.name, c.run);
});
