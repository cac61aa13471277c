import { describe, expect, it } from "vitest";
import { loadBuilt } from "../../../test-support/dist";

describe("the built @deploykit/pkgr loads through import and require", () => {
  it("exports the same names both ways", () => {
    const { esm, cjs } = loadBuilt("@deploykit/pkgr");
    expect(esm).toEqual(
      expect.arrayContaining(["buildPackage", "parsePkgrArgs", "readPkgrYml", "writeTgz", "vendorRuntime"]),
    );
    expect(cjs).toEqual(esm);
  });
});
