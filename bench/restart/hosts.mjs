// Hand-made hosts for bench/restart: releases/<v> copied from the runtimes test fixtures, a
// `current` symlink switched the way install() does it, shared/ for logs and pids.
import { cp, mkdir, mkdtemp, rename, rm, symlink, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

const fixtures = new URL("../../packages/runtimes/test/fixtures/", import.meta.url).pathname;

export async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export async function createHost(fixture, processes) {
  const root = await mkdtemp(join(tmpdir(), `dk-bench-${fixture}-`));
  await mkdir(join(root, "shared", "log"), { recursive: true });
  await mkdir(join(root, "shared", "tmp", "pids"), { recursive: true });
  let n = 0;
  const releases = {};
  for (const version of ["1.0.0", "2.0.0"]) {
    const dir = join(root, "releases", version);
    await cp(join(fixtures, fixture), dir, { recursive: true });
    await writeFile(join(dir, "VERSION"), `${version}\n`);
    const manifest = {
      schemaVersion: 1,
      app: "web",
      version,
      format: "tgz",
      artifact: { file: `web-${version}.tgz`, size: 0, sha256: "0".repeat(64) },
      createdAt: new Date(0).toISOString(),
      build: { buildpacks: [] },
      processes,
    };
    releases[version] = { version, dir, manifest };
  }
  return {
    root,
    fixtures,
    releases,
    async activate(version) {
      const next = join(root, `current.${n++}`);
      await symlink(join("releases", version), next);
      await rename(next, join(root, "current"));
      return releases[version];
    },
    remove: () => rm(root, { recursive: true, force: true }),
  };
}
