import { execFileSync } from "node:child_process";
import { assertAppName, assertVersion, compareVersions, isDeployKitError } from "@deploykit/core";
import { describe, expect, it } from "vitest";

const codeOf = (work: () => void) => {
  try {
    work();
  } catch (error) {
    return isDeployKitError(error) ? error.code : "other";
  }
  return "none";
};

describe("app names (Debian package-name syntax)", () => {
  it.each(["web", "apangea", "my-app.v2", "a1", "lib+x"])("accepts %s", (name) => {
    expect(codeOf(() => assertAppName(name))).toBe("none");
  });
  it.each(["", "a", "Web", "-web", "my_app", "a/b", "../x", "web app"])("refuses %j", (name) => {
    expect(codeOf(() => assertAppName(name))).toBe("E_INVALID_NAME");
  });
});

describe("versions (Debian version syntax)", () => {
  it.each(["1.0.0", "2:1.0-1", "1.0~rc1", "0.0.0-20240101120000", "1.2.3+git.abc"])("accepts %s", (v) => {
    expect(codeOf(() => assertVersion(v))).toBe("none");
  });
  it.each(["", "v1.0", "1.0/2", "1.0-", "x:1.0", "1.0 0", "../1", "1.0-a_b"])("refuses %j", (v) => {
    expect(codeOf(() => assertVersion(v))).toBe("E_INVALID_VERSION");
  });
});

describe("compareVersions orders like dpkg", () => {
  const pairs: [string, string][] = [
    ["1.0", "1.0"],
    ["1.0", "1.1"],
    ["1.10", "1.9"],
    ["1.0~rc1", "1.0"],
    ["1.0~~", "1.0~"],
    ["1.0a", "1.0"],
    ["1.0+b1", "1.0"],
    ["1:0.1", "2.0"],
    ["1.0-1", "1.0-2"],
    ["1.0-10", "1.0-9"],
    ["1.001", "1.1"],
    ["2.2.4-20240101", "2.2.4-20231231"],
    ["1.0.a", "1.0.0"],
    ["0.0.0", "0.0.0-1"],
  ];
  it.each(pairs)("%s vs %s matches dpkg --compare-versions", (a, b) => {
    const dpkg = (op: string) => {
      try {
        execFileSync("dpkg", ["--compare-versions", a, op, b]);
        return true;
      } catch {
        return false;
      }
    };
    const expected = dpkg("lt") ? -1 : dpkg("eq") ? 0 : 1;
    expect(Math.sign(compareVersions(a, b))).toBe(expected);
  });
});
