import { randomUUID } from "node:crypto";
import { readlink, rename, rm, symlink } from "node:fs/promises";
import { basename, dirname, join, relative } from "node:path";

/**
 * Points the `current` symlink at `target` atomically: a new symlink under a temp name is
 * renamed over the old one, so `current` always resolves to a complete release.
 */
export async function switchCurrent(current: string, target: string): Promise<void> {
  const tmp = join(dirname(current), `.${basename(current)}.${randomUUID()}`);
  await symlink(relative(dirname(current), target), tmp);
  try {
    await rename(tmp, current);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
}

/** The version `current` points at (its target's base name), or `undefined`. */
export async function currentTarget(current: string): Promise<string | undefined> {
  return readlink(current).then(
    (target) => basename(target),
    () => undefined,
  );
}
