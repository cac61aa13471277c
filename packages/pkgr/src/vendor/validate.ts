import { constants } from "node:fs";
import { access, readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { DeployKitError } from "@deploykit/core";
import type { VendorKind } from "./types";

const isExecutableFile = async (path: string) =>
  ((await stat(path).catch(() => undefined))?.isFile() ?? false) &&
  (await access(path, constants.X_OK).then(
    () => true,
    () => false,
  ));

const isDirectory = async (path: string) => (await stat(path).catch(() => undefined))?.isDirectory() ?? false;

const entriesOf = (dir: string) => readdir(dir).catch(() => [] as string[]);

/** What is missing from a runtime root for `kind` (empty when it is complete). */
export async function missingFromRuntime(root: string, kind: VendorKind, version: string): Promise<string[]> {
  switch (kind) {
    case "ruby":
      return (await isExecutableFile(join(root, "bin", "ruby"))) ? [] : ["an executable bin/ruby"];
    case "bundler": {
      const missing: string[] = [];
      if (!(await isExecutableFile(join(root, "bin", "bundle")))) missing.push("an executable bin/bundle");
      if (!(await isDirectory(join(root, "gems", `bundler-${version}`))))
        missing.push(`the gem itself in gems/bundler-${version}/`);
      return missing;
    }
    case "libyaml":
      return (await entriesOf(join(root, "lib"))).some((name) => name.startsWith("libyaml"))
        ? []
        : ["the library as lib/libyaml*"];
  }
}

/**
 * Fails unless `root` holds what the buildpack expects at the tarball's root: `bin/ruby` for a
 * ruby, `bin/bundle` and `gems/bundler-<version>/` for bundler, `lib/libyaml*` for libyaml.
 *
 * @throws `DeployKitError` `E_VENDOR_INVALID`
 */
export async function assertRuntime(
  root: string,
  kind: VendorKind,
  version: string,
  input: string,
): Promise<void> {
  const missing = await missingFromRuntime(root, kind, version);
  if (missing.length === 0) return;
  const found = (await entriesOf(root)).sort().slice(0, 10);
  throw new DeployKitError(
    "E_VENDOR_INVALID",
    `${input} is not a ${kind} ${version} runtime: it has no ${missing.join(" and no ")} at its root.`,
    {
      hint: `Check the input; the tarball must hold the ${kind} runtime at its root (top-level entries found: ${found.join(", ") || "none"}).`,
      details: { input, kind, version, missing, found },
    },
  );
}
