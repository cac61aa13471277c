import { homedir } from "node:os";
import { join } from "node:path";

/** The user's cache directory: `$XDG_CACHE_HOME`, else `~/.cache`, with a `deploykit` folder. */
export function userCacheDir(): string {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), ".cache");
  return join(base, "deploykit");
}

/** Default persistent `CACHE_DIR` for an app's buildpack compiles. */
export function defaultCompileCacheDir(app: string): string {
  return join(userCacheDir(), "compile", app);
}

/** Default folder for cached buildpack clones. */
export function defaultBuildpackCacheDir(): string {
  return join(userCacheDir(), "buildpacks");
}
