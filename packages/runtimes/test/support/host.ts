import { cp, mkdir, mkdtemp, rename, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { HostRelease, ReleaseManifest } from "@deploykit/core";

/** A fixture app folder under test/fixtures. */
export const fixture = (name: string) => new URL(`../fixtures/${name}/`, import.meta.url).pathname;

/** A hand-made host root (releases/<v>, current, shared/) for driving strategies directly. */
export interface TestHost {
  root: string;
  /** Copies the fixture into releases/<version>, writes VERSION (and CRASH / HANG when asked). */
  addRelease(
    version: string,
    options?: { crash?: boolean; hang?: boolean; processes?: Record<string, string> },
  ): Promise<HostRelease>;
  /** Points `current` at a release (new symlink + rename, as install does). */
  activate(release: HostRelease): Promise<void>;
  remove(): Promise<void>;
}

/** The manifest of a hand-made release of app `web` (processes default to `web: node server.js`). */
export function fixtureManifest(version: string, processes?: Record<string, string>): ReleaseManifest {
  return {
    schemaVersion: 1,
    app: "web",
    version,
    format: "tgz",
    artifact: { file: `web-${version}.tgz`, size: 0, sha256: "0".repeat(64) },
    createdAt: new Date(0).toISOString(),
    build: { buildpacks: [] },
    processes: processes ?? { web: "node server.js" },
  };
}

/** Creates a {@link TestHost} in a temp folder, releases copied from the fixture `app`. */
export async function createTestHost(app: string): Promise<TestHost> {
  const root = await mkdtemp(join(tmpdir(), `dk-runtimes-${app}-`));
  await mkdir(join(root, "releases"), { recursive: true });
  await mkdir(join(root, "shared", "log"), { recursive: true });
  await mkdir(join(root, "shared", "tmp", "pids"), { recursive: true });
  return {
    root,
    async addRelease(version, options = {}) {
      const dir = join(root, "releases", version);
      await cp(fixture(app), dir, { recursive: true });
      await writeFile(join(dir, "VERSION"), `${version}\n`);
      if (options.crash) await writeFile(join(dir, "CRASH"), "1\n");
      if (options.hang) await writeFile(join(dir, "HANG"), "1\n");
      return { version, dir, manifest: fixtureManifest(version, options.processes) };
    },
    async activate(release) {
      const next = join(root, `current.${version()}`);
      await symlink(join("releases", release.version), next);
      await rename(next, join(root, "current"));
    },
    remove: () => rm(root, { recursive: true, force: true }),
  };
}

let counter = 0;
const version = () => `${process.pid}-${counter++}`;

/** GETs a loopback URL and returns the trimmed body, or undefined on a network error. */
export async function fetchText(url: string): Promise<string | undefined> {
  try {
    const response = await fetch(url, { headers: { connection: "close" } });
    return (await response.text()).trim();
  } catch {
    return undefined;
  }
}

export { freePort } from "../../../../test-support/ports";
