import { readFile } from "node:fs/promises";
import { join } from "node:path";
import ignore, { type Ignore } from "ignore";

/**
 * Files in the app root whose gitignore-style patterns keep paths out of the package:
 * `.slugignore` (Heroku's, which buildpack users already have) and `.pkgrignore` (deploykit's own).
 * `.git` directories are always left out. `.gitignore` is NOT used: it usually lists build
 * output (`node_modules`, `vendor/bundle`) that a package must contain.
 */
export const IGNORE_FILES = [".slugignore", ".pkgrignore"] as const;

/** Decides whether a path (relative to the app root, `/`-separated) stays out of the package. */
export interface IgnoreRules {
  /** True when the path is excluded; `isDir` lets `dir/` patterns match directories. */
  ignores(relativePath: string, isDir: boolean): boolean;
}

/** Loads {@link IGNORE_FILES} from `appDir` (missing files are fine). */
export async function loadIgnoreRules(appDir: string): Promise<IgnoreRules> {
  const rules: Ignore = ignore();
  for (const file of IGNORE_FILES) {
    const text = await readFile(join(appDir, file), "utf8").catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return "";
      throw error;
    });
    rules.add(text);
  }
  return {
    ignores(relativePath, isDir) {
      const name = relativePath.slice(relativePath.lastIndexOf("/") + 1);
      if (name === ".git") return true;
      return rules.ignores(isDir ? `${relativePath}/` : relativePath);
    },
  };
}

/** Rules that exclude only `.git` directories (for trees a buildpack produced). */
export const gitOnlyRules: IgnoreRules = {
  ignores: (relativePath) => relativePath.slice(relativePath.lastIndexOf("/") + 1) === ".git",
};

/**
 * Adds the build's own output to `rules`: earlier artifacts of this app at the app root
 * (`<name>_*.tgz|.deb`, with the CLI's `.manifest.json` next to them, and the one being written
 * when the out dir is the app root), wherever this build writes; and the out folder itself when
 * it lies inside the app.
 */
export function withoutBuildOutput(rules: IgnoreRules, outDirFromApp: string, name: string): IgnoreRules {
  const outFolder =
    outDirFromApp !== "" && !outDirFromApp.startsWith("..") && !outDirFromApp.startsWith("/")
      ? outDirFromApp
      : undefined;
  const artifact = new RegExp(
    `^${name.replace(/[.+]/g, "\\$&")}_.*\\.(tgz|deb)(\\.partial-\\d+|\\.manifest\\.json)?$`,
  );
  return {
    ignores(relativePath, isDir) {
      if (rules.ignores(relativePath, isDir)) return true;
      if (relativePath === outFolder) return true;
      return !isDir && !relativePath.includes("/") && artifact.test(relativePath);
    },
  };
}
