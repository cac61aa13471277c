import { isDeployKitError, parseManifest, parseManifestJson } from "@deploykit/core";
import { describe, expect, it } from "vitest";

const valid = {
  schemaVersion: 1,
  app: "web",
  version: "1.0.0",
  format: "tgz",
  artifact: { file: "web-1.0.0.tgz", size: 10, sha256: "a".repeat(64) },
  createdAt: "2024-01-01T00:00:00.000Z",
  build: { buildpacks: [{ url: "https://example.invalid/bp.git", commit: "abc" }] },
  processes: { web: "node server.js" },
};

const problemsOf = (value: unknown) => {
  try {
    parseManifest(value, "test");
    return [];
  } catch (error) {
    if (!isDeployKitError(error, "E_MANIFEST_INVALID")) throw error;
    return error.details.problems as string[];
  }
};

describe("parseManifest", () => {
  it("accepts a valid manifest", () => {
    expect(parseManifest(valid, "test")).toEqual(valid);
  });
  it.each([
    ["an unknown schema version", { ...valid, schemaVersion: 2 }, "schemaVersion"],
    ["a bad sha256", { ...valid, artifact: { ...valid.artifact, sha256: "XYZ" } }, "artifact.sha256"],
    [
      "an artifact file with a path",
      { ...valid, artifact: { ...valid.artifact, file: "../x.tgz" } },
      "artifact.file",
    ],
    ["a bad app name", { ...valid, app: "Web App" }, "app"],
    ["a bad version", { ...valid, version: "v1" }, "version"],
    ["an unknown format", { ...valid, format: "zip" }, "format"],
    [
      "an epoch in a .tgz release (releases/1:3.0.0 splits PATH)",
      { ...valid, version: "1:3.0.0" },
      "version",
    ],
    ["a bad process name", { ...valid, processes: { "we b": "x" } }, "processes"],
  ])("refuses %s with E_MANIFEST_INVALID naming the field", (_why, value, field) => {
    expect(problemsOf(value).join(" ")).toContain(field);
  });
  it("keeps an epoch in a .deb release (dpkg orders by it)", () => {
    expect(problemsOf({ ...valid, format: "deb", version: "1:3.0.0" })).toEqual([]);
  });
  it("refuses malformed JSON", () => {
    expect(() => parseManifestJson("{not json", "x")).toThrow(/not valid JSON/);
  });
});
