// A throwaway host root with releases/<v>/VERSION and a `current` symlink, and the example app
// running on a free loopback port. Shared by demo.mjs and the tests.
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, readFile, rename, rm, symlink, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

const freePort = () =>
  new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });

export async function startExampleHost() {
  const root = await mkdtemp(join(tmpdir(), "dk-custom-strategy-"));
  let n = 0;
  const release = async (version) => {
    const dir = join(root, "releases", version);
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, "VERSION"), `${version}\n`);
    const next = join(root, `current.${n++}`);
    await symlink(join("releases", version), next);
    await rename(next, join(root, "current"));
    return { version, dir, manifest: { processes: {} } };
  };
  const first = await release("1.0.0");
  const port = await freePort();
  const pidFile = join(root, "app.pid");
  const app = spawn(
    process.execPath,
    [new URL("./app/server.mjs", import.meta.url).pathname, root, String(port), pidFile],
    {
      stdio: "inherit",
    },
  );
  for (let i = 0; i < 200 && !(await readFile(pidFile, "utf8").catch(() => "")); i++) await sleep(25);
  return {
    root,
    pidFile,
    url: `http://127.0.0.1:${port}/`,
    first,
    release,
    async stop() {
      app.kill("SIGTERM");
      await rm(root, { recursive: true, force: true });
    },
  };
}
