import { DeployKitError } from "../errors";

/** What these decisions read of a host's state (`HostState`: its history, live and installed releases). */
export interface LineState {
  current?: string;
  releases: Readonly<Record<string, unknown>>;
  history: readonly { action: string; version: string; from?: string }[];
}

/**
 * The releases whose last deploy (or rollback to them) failed and was rolled back automatically:
 * the history's last word on them is an `auto-rollback` away from them. Nothing to roll back to.
 */
export function failedReleases(state: LineState): Set<string> {
  const failed = new Set<string>();
  for (const entry of state.history) {
    failed.delete(entry.version);
    if (entry.action === "auto-rollback" && entry.from !== undefined) failed.add(entry.from);
  }
  return failed;
}

/**
 * The releases in the order they went live, the live one last: the list a plain rollback walks
 * back along (Capistrano's releases, newest last). Replays the history: an install puts its
 * release last; a rollback (or a recovered switch) to a release in the line cuts the line back
 * to it, so what it was rolled back from is no longer ahead of it, and to one not in the line
 * (a roll forward with `--version`) puts it last; an automatic rollback undoes the step that
 * made the failed release live.
 */
export function liveLine(state: LineState): string[] {
  let line: string[] = [];
  let before: string[] = [];
  for (const { action, version } of state.history) {
    if (action === "auto-rollback" && before.at(-1) === version) {
      line = before;
      continue;
    }
    before = line;
    const at = line.indexOf(version);
    line =
      action !== "install" && at >= 0
        ? line.slice(0, at + 1)
        : [...line.filter((v) => v !== version), version];
  }
  return line;
}

/**
 * Where successive plain rollbacks (no version) go from the live release, in order: back along
 * the {@link liveLine}, past releases no longer installed and those that failed (see
 * {@link failedReleases}). Empty when nothing is live or nothing is older.
 */
export function rollbackWalk(state: LineState): string[] {
  if (state.current === undefined) return [];
  const line = liveLine(state);
  const failed = failedReleases(state);
  const at = line.lastIndexOf(state.current);
  return line
    .slice(0, Math.max(0, at))
    .reverse()
    .filter((version) => version !== state.current && state.releases[version] && !failed.has(version));
}

/** Where a plain rollback goes from the live release: the first of {@link rollbackWalk}. */
export function rollbackTarget(state: LineState): string | undefined {
  return rollbackWalk(state)[0];
}

/**
 * The release a rollback switches to: `version` when given (it must be installed), else the
 * {@link rollbackTarget}. `where` names the root (`host:root` for a remote one) in messages.
 * @throws `E_NO_PREVIOUS_RELEASE` (nothing written): `version` is not installed, or nothing is
 * older than the live release to walk back to.
 */
export function chooseRollback(state: LineState, version: string | undefined, where: string): string {
  const target = version ?? rollbackTarget(state);
  if (target !== undefined && state.releases[target]) return target;
  if (version !== undefined)
    throw new DeployKitError("E_NO_PREVIOUS_RELEASE", `${version} is not installed under ${where}.`, {
      hint: "`deploykit releases` lists what is installed.",
      details: { root: where, target: version },
    });
  const failed = [...failedReleases(state)].filter((v) => state.releases[v]);
  const skipped = failed.length ? ` (skipped, as their deploy failed: ${failed.join(", ")})` : "";
  throw new DeployKitError(
    "E_NO_PREVIOUS_RELEASE",
    state.current === undefined
      ? `Nothing is live under ${where}: there is nothing to roll back from.`
      : `There is no release older than the live ${state.current} to roll back to under ${where}${skipped}.`,
    {
      hint: "Nothing was changed. Pass --version <version> (SDK: `version`) to switch to a named installed release; `deploykit releases` lists them.",
      details: { root: where, ...(state.current ? { current: state.current } : {}) },
    },
  );
}
