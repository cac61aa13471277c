import { createServer, type Server } from "node:net";
import { join } from "node:path";
import type { DeployEvent } from "@deploykit/core";
import { buildPackage } from "@deploykit/pkgr";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixtureBuildpack, tempDirs, tgzEntries, writeTree } from "./helpers";

// Issue 10 item 8: an app tree holding a unix socket (a left-over tmp/sockets/unicorn.sock, here
// a live one) and a FIFO. The build must finish, leave both out and name each in a warning.

const temp = tempDirs();
/** The input: a left-over unicorn socket, nothing else special. */
let socketApp: string;
/** A socket and a FIFO. */
let appDir: string;
const servers: Server[] = [];

async function makeApp(withFifo: boolean): Promise<string> {
  const dir = join(await temp.make("special"), "app");
  await writeTree(dir, {
    Procfile: "web: ./web.sh\n",
    "web.sh": "#!/bin/sh\necho hi\n",
    "tmp/sockets/.keep": "",
  });
  const server = createServer();
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(join(dir, "tmp/sockets/unicorn.sock"), resolve));
  if (withFifo) await execa("mkfifo", [join(dir, "tmp/queue.fifo")]);
  return dir;
}

beforeAll(async () => {
  socketApp = await makeApp(false);
  appDir = await makeApp(true);
});
afterAll(async () => {
  for (const server of servers) await new Promise((resolve) => server.close(resolve));
  await temp.cleanup();
});

const SKIPPED = [
  expect.stringMatching(/^tmp\/queue\.fifo is a FIFO: left out of the package/),
  expect.stringMatching(/^tmp\/sockets\/unicorn\.sock is a socket: left out of the package/),
];

async function build(options: Partial<Parameters<typeof buildPackage>[0]>) {
  const events: DeployEvent[] = [];
  const pkg = await buildPackage({
    appDir,
    name: "special",
    version: "1.0.0",
    outDir: await temp.make("out"),
    readPkgrYml: false,
    onEvent: (e) => events.push(e),
    ...options,
  });
  const warnings = events.flatMap((e) => (e.type === "warning" ? [e.message] : [])).sort();
  return { pkg, warnings };
}

describe("sockets and FIFOs in the app tree", () => {
  it(".tgz with a left-over unicorn socket: the build settles and leaves it out with a warning", async () => {
    const { pkg, warnings } = await build({ appDir: socketApp });
    expect(warnings).toEqual([SKIPPED[1]]);
    const paths = (await tgzEntries(pkg.path)).map((e) => e.path);
    expect(paths).toEqual(expect.arrayContaining(["Procfile", "web.sh", "tmp/sockets/.keep"]));
    expect(paths.filter((p) => p.endsWith(".sock"))).toEqual([]);
  });

  it(".tgz: the build settles, both are left out with a warning each, the rest is packed", async () => {
    const { pkg, warnings } = await build({});
    expect(warnings).toEqual(SKIPPED);
    const paths = (await tgzEntries(pkg.path)).map((e) => e.path);
    expect(paths).toEqual(expect.arrayContaining(["Procfile", "web.sh", "tmp/sockets/.keep"]));
    expect(paths.filter((p) => p.endsWith(".sock") || p.endsWith(".fifo"))).toEqual([]);
  });

  it(".deb: the build settles, both are left out with a warning each", async () => {
    const { pkg, warnings } = await build({ format: "deb" });
    expect(warnings).toEqual(SKIPPED);
    const { stdout } = await execa("dpkg-deb", ["-c", pkg.path]);
    expect(stdout).toContain("./opt/special/web.sh");
    expect(stdout).toContain("./opt/special/tmp/sockets/.keep");
    expect(stdout).not.toMatch(/unicorn\.sock|queue\.fifo/);
  });

  it("through a buildpack: the copy into the build dir leaves both out with a warning each", async () => {
    const { pkg, warnings } = await build({ buildpacks: [fixtureBuildpack("reader")] });
    expect(warnings).toEqual(SKIPPED);
    const paths = (await tgzEntries(pkg.path)).map((e) => e.path);
    expect(paths).toEqual(expect.arrayContaining(["web.sh", "chained.txt"]));
    expect(paths.filter((p) => p.endsWith(".sock") || p.endsWith(".fifo"))).toEqual([]);
  });
});
