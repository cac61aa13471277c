import { randomUUID } from "node:crypto";
import { createS3Store, type S3Store } from "@deploykit/core/s3";
import { storeContractCases } from "@deploykit/core/testing";
import { afterAll, beforeAll, describe, it } from "vitest";
import { startS3, type TestS3 } from "../../../test-support/s3/index.mjs";
import { s3StoreOptions } from "./support/stores";

let s3: TestS3;
const stores: S3Store[] = [];

beforeAll(async () => {
  s3 = await startS3();
});
afterAll(async () => {
  for (const store of stores) store.destroy();
  await s3?.stop();
});

/** A fresh, empty store per case: its own prefix in this file's bucket. */
const freshStore = () => {
  const store = createS3Store(s3StoreOptions(s3, `case-${randomUUID()}`));
  stores.push(store);
  return store;
};

describe("S3 store: the store contract against a real S3 server", () => {
  for (const c of storeContractCases(freshStore)) it(c.name, c.run);
});
