import { lstat, mkdir, rename, stat } from "node:fs/promises";
import { join } from "node:path";
import { DeployKitError } from "../errors";
import type { HostPlan } from "./plan";
import { switchCurrent } from "./switch-current";

const kindOf = async (path: string) => {
  const info = await lstat(path).catch(() => undefined);
  if (!info) return "absent";
  if (info.isSymbolicLink()) {
    const target = await stat(path).catch(() => undefined);
    return target?.isDirectory() ? "dir-link" : "other-link";
  }
  return info.isDirectory() ? "dir" : "file";
};

const unexpected = (path: string, found: string, expected: string, hint: string) =>
  new DeployKitError("E_HOST_STATE", `${path} is ${found}, where the host layout needs ${expected}.`, {
    hint,
    details: { path, found, expected },
  });

/**
 * Checks, without writing anything, that what is already under the root fits the host layout:
 * `current` a symlink (or absent), `releases/`, `shared/<dir>` (and each dir above it) and
 * `.deploykit/` directories (or absent). A `current` that is a real directory — left by an older
 * deploy tool, e.g. a `git pull` checkout — passes only with `adoptLegacyCurrent`.
 *
 * @throws {@link DeployKitError} `E_HOST_STATE` naming the path, what is there and what to do.
 */
export async function assertHostLayout(plan: HostPlan): Promise<void> {
  const { layout } = plan;
  const current = await kindOf(layout.current);
  if (current === "dir" && !plan.adoptLegacyCurrent) {
    throw unexpected(
      layout.current,
      "a real directory (a deploy made by another tool?)",
      "a symlink to releases/<version>",
      "Pass adoptLegacyCurrent: true (CLI: --adopt-legacy) to move it to releases/legacy-<timestamp>, or move it away yourself.",
    );
  }
  if (current === "file") {
    throw unexpected(layout.current, "a regular file", "a symlink to releases/<version>", "Move it away.");
  }
  const dirs = [layout.releases, layout.meta, layout.shared];
  for (const dir of plan.sharedDirs) {
    const parts = dir.split("/");
    for (let i = 1; i <= parts.length; i++) dirs.push(join(layout.shared, ...parts.slice(0, i)));
  }
  for (const path of dirs) {
    const kind = await kindOf(path);
    if (kind === "file" || kind === "other-link") {
      throw unexpected(
        path,
        kind === "file" ? "a regular file" : "a symlink to something other than a directory",
        "a directory",
        "Move it away (for shared/log: keep its content in a directory of that name), then run it again.",
      );
    }
  }
}

/**
 * Moves a `current` that is a real directory aside to `releases/legacy-<timestamp>` and points
 * the `current` symlink at it (with a `warning` event): it serves as before, and the install
 * switches `current` to its release like from any other. Call with the lock held, after
 * {@link assertHostLayout} allowed it.
 */
export async function adoptLegacyCurrent(plan: HostPlan): Promise<void> {
  const { layout, ports } = plan;
  if ((await kindOf(layout.current)) !== "dir") return;
  const stamp = new Date(ports.clock.now()).toISOString().replace(/[-:]/g, "").replace(/\..*$/, "Z");
  const aside = join(layout.releases, `legacy-${stamp}`);
  await mkdir(layout.releases, { recursive: true });
  await rename(layout.current, aside);
  // current points at it again at once: it keeps serving until a release goes live, and a
  // deploy whose first release fails switches back to it (see unmanagedCurrent).
  await switchCurrent(layout.current, aside);
  plan.onEvent?.({
    type: "warning",
    step: "adopt",
    message: `Moved the directory ${layout.current} (left by another deploy tool) to ${aside}; current points at it until a release goes live.`,
  });
}
