import { describe, expect, it } from "vitest";
import { loadBuilt } from "../../../test-support/dist";

describe("the built @deploykit/core loads through import and require", () => {
  it.each([
    [
      "@deploykit/core",
      ["publish", "install", "deploy", "rollback", "restart", "createFsStore", "DeployKitError"],
    ],
    [
      "@deploykit/core/testing",
      [
        "createMemoryStore",
        "createFakeClock",
        "createFakeProcessTable",
        "createRecordingRunner",
        "createSimulatedHost",
      ],
    ],
    ["@deploykit/core/s3", ["createS3Store"]],
  ])("%s", (specifier, names) => {
    const { esm, cjs } = loadBuilt(specifier);
    expect(esm).toEqual(expect.arrayContaining(names));
    expect(cjs).toEqual(esm);
  });
});
