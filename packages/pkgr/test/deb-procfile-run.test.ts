// Issue 12 item 1 for .deb: an app built by a buildpack that puts its vendored `dk-node` on PATH
// only through .profile.d, installed with the real dpkg: `<app> run web` serves (the wrapper
// starts the process the way core's launchScript defines it). Unique name, purged in afterAll.
import { spawn } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { buildPackage } from "@deploykit/pkgr";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../../test-support/ports";
import { makeTempDir, removeDir } from "./fixtures/deb-support/app";
import { attempt, dpkg, requireTools, run } from "./fixtures/deb-support/tools";

const NAME = `dk-pr-${process.pid}-${Date.now().toString(36)}`;
const BUILDPACK = new URL("../../../test-support/buildpacks/vendoring/", import.meta.url).pathname;
let work: string;
let server: ReturnType<typeof spawn> | undefined;

beforeAll(async () => {
  requireTools("dpkg", "useradd", "chroot");
  if (process.getuid?.() !== 0) throw new Error("the dpkg test needs root (CI runs as root)");
  work = await makeTempDir("deb-procfile-run-");
  const app = join(work, "app");
  await import("node:fs/promises").then((fs) => fs.mkdir(app));
  await writeFile(
    join(app, "server.js"),
    `require("node:http").createServer((q, s) => s.end("deb " + process.env.DK_RUNTIME + " " + process.env.HOME))
  .listen(Number(process.env.PORT), "127.0.0.1");\n`,
  );
  await writeFile(join(app, "Procfile"), "web: dk-node server.js\n");
  const pkg = await buildPackage({
    appDir: app,
    name: NAME,
    version: "1.0.0",
    iteration: "1",
    format: "deb",
    buildpacks: [BUILDPACK],
    outDir: join(work, "out"),
    readPkgrYml: false,
  });
  const installed = dpkg(["-i", pkg.path]);
  expect(installed.status, installed.output).toBe(0);
});

afterAll(async () => {
  // The wrapper's process group (never the `kill` binary: procps 4.0.2 reads `-KILL -<pgid>` badly).
  if (server?.pid) {
    try {
      process.kill(-server.pid, "SIGKILL");
    } catch {}
  }
  dpkg(["--purge", NAME]);
  attempt("userdel", [NAME]);
  attempt("groupdel", [NAME]);
  await removeDir(`/var/log/${NAME}`);
  await removeDir(work);
});

describe("the .deb wrapper starts Procfile processes with the buildpack's environment", () => {
  it("`<app> run web` serves `web: dk-node server.js`", { timeout: 120_000 }, async () => {
    const port = await freePort();
    run(`/usr/bin/${NAME}`, ["config:set", `PORT=${port}`]);
    let output = "";
    server = spawn(`/usr/bin/${NAME}`, ["run", "web"], { detached: true, stdio: ["ignore", "pipe", "pipe"] });
    server.stdout?.on("data", (chunk) => (output += chunk));
    server.stderr?.on("data", (chunk) => (output += chunk));
    const answer = async () =>
      fetch(`http://127.0.0.1:${port}/`)
        .then((r) => r.text())
        .catch(() => (server?.exitCode === null ? undefined : `exited: ${output}`));
    await expect.poll(answer, { timeout: 30_000, interval: 100 }).toBe(`deb vendored /opt/${NAME}`);
  });
});
