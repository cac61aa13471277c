import { stat } from "node:fs/promises";
import { DeployKitError } from "./errors";

/** What {@link assertDirectory} checks and how it names the path in its errors. */
export interface AssertDirectoryOptions {
  /** How the path is called in the message, e.g. `"The host root"` or `"The store"`. */
  what: string;
  /** When false (the default), a missing path is fine (it will be created); only a file is refused. */
  mustExist?: boolean;
  /** What to do about it, for the error's hint. */
  hint?: string;
}

/**
 * Checks that `path` is a directory before anything reads or writes under it, so that a typo
 * (`--root ./nonexist`) or a file where a directory belongs never looks like an empty host or
 * store, and never surfaces as a raw `ENOTDIR`.
 *
 * @returns whether the directory exists
 * @throws {@link DeployKitError} `E_NOT_FOUND` when `mustExist` and nothing is there;
 * `E_NOT_A_DIRECTORY` when something other than a directory is there.
 */
export async function assertDirectory(path: string, options: AssertDirectoryOptions): Promise<boolean> {
  const hint = options.hint ?? "Check the path.";
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOTDIR") {
      throw new DeployKitError("E_NOT_A_DIRECTORY", `${options.what} ${path} lies under a file.`, {
        cause: error,
        hint,
        details: { path },
      });
    }
    if (code !== "ENOENT") throw error;
    if (!options.mustExist) return false;
    throw new DeployKitError("E_NOT_FOUND", `${options.what} ${path} does not exist.`, {
      hint,
      details: { path },
    });
  }
  if (!info.isDirectory()) {
    throw new DeployKitError("E_NOT_A_DIRECTORY", `${options.what} ${path} is a file, not a directory.`, {
      hint,
      details: { path },
    });
  }
  return true;
}
