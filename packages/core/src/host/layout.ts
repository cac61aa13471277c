import { join } from "node:path";

/**
 * Paths of a host root (DESIGN.md, "Host layout"): `releases/<version>`, the `current`
 * symlink, `shared/` (log, tmp/pids, config), and `.deploykit/` (state, lock, cache).
 */
export interface HostLayout {
  root: string;
  releases: string;
  current: string;
  shared: string;
  logs: string;
  pids: string;
  meta: string;
  state: string;
  lock: string;
  cache: string;
  /** The folder of one release. */
  release(version: string): string;
}

/** Computes the {@link HostLayout} of a root directory. */
export function hostLayout(root: string): HostLayout {
  const meta = join(root, ".deploykit");
  return {
    root,
    releases: join(root, "releases"),
    current: join(root, "current"),
    shared: join(root, "shared"),
    logs: join(root, "shared", "log"),
    pids: join(root, "shared", "tmp", "pids"),
    meta,
    state: join(meta, "state.json"),
    lock: join(meta, "lock"),
    cache: join(meta, "cache"),
    release: (version) => join(root, "releases", version),
  };
}
