import { spawn } from "node:child_process";
import { once } from "node:events";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { createFsStore, type DeployEvent, install, publish } from "@deploykit/core";
import { afterEach, describe, expect, it } from "vitest";
import { releasesInUse } from "../src/host/in-use";
import { makePackage, tempDir } from "./support/package";

describe("pruning skips releases a live process still uses", () => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(() => cleanup?.());

  it("keeps releases/1.0.0 while a process runs from it (keep: 1), prunes it on the next run once it exited", async () => {
    const tmp = await tempDir();
    cleanup = tmp.cleanup;
    const store = createFsStore({ dir: join(tmp.dir, "store") });
    const root = join(tmp.dir, "host");
    for (const v of ["1.0.0", "2.0.0", "3.0.0", "4.0.0"])
      await publish(await makePackage(tmp.dir, "web", v, { "page.txt": `v${v}` }), { store });
    const events: DeployEvent[] = [];
    const run = (version: string) =>
      install({ store, app: "web", version, root, keep: 1, onEvent: (e) => events.push(e) });

    await run("1.0.0");
    // A v1 worker still draining: its cwd is the release directory.
    const worker = spawn("sleep", ["600"], { cwd: join(root, "releases", "1.0.0"), stdio: "ignore" });
    await once(worker, "spawn");
    const exited = once(worker, "exit");
    try {
      await run("2.0.0");
      await run("3.0.0");
      expect((await readdir(join(root, "releases"))).sort()).toEqual(["1.0.0", "2.0.0", "3.0.0"]);
      const warning = events.find((e) => e.type === "warning" && e.step === "prune");
      expect(warning?.type === "warning" && warning.message).toContain(`1.0.0 (pid ${worker.pid} cwd`);
    } finally {
      worker.kill();
      await exited;
    }
    await run("4.0.0");
    expect((await readdir(join(root, "releases"))).sort()).toEqual(["3.0.0", "4.0.0"]);
  });

  it("counts the directory itself, its files and deleted files' links; not a sibling with the same prefix", () => {
    const releases = new Map([
      ["1.0.0", "/srv/web/releases/1.0.0"],
      ["1.0", "/srv/web/releases/1.0"],
      ["2.0.0", "/srv/web/releases/2.0.0"],
    ]);
    const held = releasesInUse(releases, [
      { pid: 7, use: "exe", path: "/srv/web/releases/1.0.0/bin/server" },
      { pid: 7, use: "fd", path: "/srv/web/releases/1.0.0/page.txt" },
      { pid: 9, use: "fd", path: "/srv/web/releases/2.0.0" },
    ]);
    expect([...held.keys()].sort()).toEqual(["1.0.0", "2.0.0"]);
    expect(held.get("1.0.0")?.holders).toEqual([
      { pid: 7, use: "exe", path: "/srv/web/releases/1.0.0/bin/server" },
    ]);
  });
});
