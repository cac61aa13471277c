import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, readlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  DeployKitError,
  deploy,
  install,
  isDeployKitError,
  listInstalled,
  liveRelease,
  prune,
  publish,
  type RuntimeStrategy,
  rollback,
  storeKeys,
} from "@deploykit/core";
import { createMemoryStore } from "@deploykit/core/testing";
import { afterEach, describe, expect, it } from "vitest";
import { makePackage } from "./support/package";
import { embeddedStores, workspace } from "./support/stores";

const live = async (root: string) => readFile(join(root, "current", "server.js"), "utf8");

describe.each(embeddedStores)("install and rollback on the %s", (_name, makeStore) => {
  let ws: Awaited<ReturnType<typeof workspace>>;
  afterEach(() => ws?.cleanup());

  const publishVersions = async (...versions: string[]) => {
    for (const v of versions) {
      await publish(
        await makePackage(ws.dir, "web", v, { "server.js": `v${v}`, "log/keep.txt": "shipped" }),
        {
          store: ws.store,
          channel: "production",
        },
      );
    }
  };

  it("round-trips publish → install → install → rollback, switching current each time", async () => {
    ws = await workspace(makeStore);
    const root = join(ws.dir, "host");
    await publishVersions("1.0.0", "1.1.0");
    const first = await install({ store: ws.store, app: "web", version: "1.0.0", root });
    expect(first.release.version).toBe("1.0.0");
    expect(await live(root)).toBe("v1.0.0");
    expect(await readlink(join(root, "current"))).toBe(join("releases", "1.0.0"));
    const second = await install({ store: ws.store, app: "web", channel: "production", root });
    expect(second.previous?.version).toBe("1.0.0");
    expect(await live(root)).toBe("v1.1.0");
    const back = await rollback({ root });
    expect(back.release.version).toBe("1.0.0");
    expect(await live(root)).toBe("v1.0.0");
    expect((await listInstalled(root)).current).toBe("1.0.0");
    const serving = await liveRelease(root);
    expect([serving.release.version, serving.previous?.version]).toEqual(["1.0.0", "1.1.0"]);
    await expect(liveRelease(join(ws.dir, "empty"))).rejects.toSatisfy((e) =>
      isDeployKitError(e, "E_NOT_FOUND"),
    );
  });

  it("links shared dirs into each release, replacing what the artifact shipped there", async () => {
    ws = await workspace(makeStore);
    const root = join(ws.dir, "host");
    await publishVersions("1.0.0");
    await install({ store: ws.store, app: "web", version: "1.0.0", root });
    await writeFile(join(root, "current", "log", "app.log"), "hello");
    expect(await readFile(join(root, "shared", "log", "app.log"), "utf8")).toBe("hello");
    expect(existsSync(join(root, "shared", "log", "keep.txt"))).toBe(false);
    expect(existsSync(join(root, "shared", "tmp", "pids"))).toBe(true);
  });

  it("installing the live version again changes nothing", async () => {
    ws = await workspace(makeStore);
    const root = join(ws.dir, "host");
    await publishVersions("1.0.0");
    await install({ store: ws.store, app: "web", version: "1.0.0", root });
    const again = await install({ store: ws.store, app: "web", version: "1.0.0", root });
    expect(again.unchanged).toBe(true);
  });

  it("keep prunes old releases and their cached artifacts, never the live or previous one", async () => {
    ws = await workspace(makeStore);
    const root = join(ws.dir, "host");
    await publishVersions("1.0.0", "1.1.0", "1.2.0", "1.3.0");
    for (const version of ["1.0.0", "1.1.0", "1.2.0", "1.3.0"])
      await install({ store: ws.store, app: "web", version, root, keep: 2 });
    expect((await readdir(join(root, "releases"))).sort()).toEqual(["1.2.0", "1.3.0"]);
    expect((await readdir(join(root, ".deploykit", "cache"))).sort()).toEqual(["1.2.0", "1.3.0"]);
    await rollback({ root });
    await install({ store: ws.store, app: "web", version: "1.0.0", root, keep: 1 });
    // live 1.0.0, previous 1.2.0 (live before), nothing else.
    expect((await readdir(join(root, "releases"))).sort()).toEqual(["1.0.0", "1.2.0"]);
  });

  it("a release whose deploy failed and was rolled back does not count towards keep: it is pruned first", async () => {
    ws = await workspace(makeStore);
    const root = join(ws.dir, "host");
    await publishVersions("1.0.0", "1.1.0", "1.2.0", "1.3.0");
    const strategy: RuntimeStrategy = {
      name: "fake",
      restart: async ({ release }) => {
        if (release.version === "1.3.0") throw new Error("1.3.0 exits at boot");
        return { strategy: "fake" };
      },
    };
    for (const version of ["1.0.0", "1.1.0", "1.2.0", "1.3.0"])
      await deploy({ store: ws.store, app: "web", version, root, keep: 10, strategy });
    expect(await live(root)).toBe("v1.2.0");
    const result = await prune({ root, keep: 3 });
    expect(result.host?.releases).toEqual(["1.3.0"]);
    expect((await readdir(join(root, "releases"))).sort()).toEqual(["1.0.0", "1.1.0", "1.2.0"]);
    // Deployed again and healthy, it is a good release like any other.
    await publishVersions("1.4.0");
    await deploy({ store: ws.store, app: "web", version: "1.4.0", root, keep: 2, strategy });
    expect((await readdir(join(root, "releases"))).sort()).toEqual(["1.2.0", "1.4.0"]);
  });

  it("the first release failing its restart says current names it and there is nothing to go back to", async () => {
    ws = await workspace(makeStore);
    const root = join(ws.dir, "host");
    await publishVersions("1.0.0");
    const strategy: RuntimeStrategy = {
      name: "fake",
      restart: async () => {
        throw new DeployKitError("E_RESTART_FAILED", "fake: exits at boot", {
          hint: "the previous release keeps serving",
        });
      },
    };
    const error = await deploy({ store: ws.store, app: "web", version: "1.0.0", root, strategy }).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: "E_RESTART_FAILED", message: "fake: exits at boot" });
    expect((error as DeployKitError).hint).toMatch(/current points at 1\.0\.0, .*no earlier release/);
  });

  it("rollback works without the network: a removed release dir is unpacked again from the cache", async () => {
    ws = await workspace(makeStore);
    const root = join(ws.dir, "host");
    await publishVersions("1.0.0", "1.1.0");
    await install({ store: ws.store, app: "web", version: "1.0.0", root });
    await install({ store: ws.store, app: "web", version: "1.1.0", root });
    const { rm } = await import("node:fs/promises");
    await rm(join(root, "releases", "1.0.0"), { recursive: true });
    await rollback({ root });
    expect(await live(root)).toBe("v1.0.0");
  });

  it("a rollback with nothing to go back to is E_NO_PREVIOUS_RELEASE", async () => {
    ws = await workspace(makeStore);
    const root = join(ws.dir, "host");
    await publishVersions("1.0.0");
    await install({ store: ws.store, app: "web", version: "1.0.0", root });
    await expect(rollback({ root })).rejects.toSatisfy((e) => isDeployKitError(e, "E_NO_PREVIOUS_RELEASE"));
  });
});

describe("install verifies what it downloads", () => {
  it("one corrupted byte in the stored artifact is E_CHECKSUM_MISMATCH, with current untouched and nothing cached", async () => {
    const ws = await workspace(() => createMemoryStore());
    const store = ws.store as ReturnType<typeof createMemoryStore>;
    try {
      const root = join(ws.dir, "host");
      for (const v of ["1.0.0", "1.1.0"])
        await publish(await makePackage(ws.dir, "web", v, { "server.js": `v${v}` }), { store });
      await install({ store, app: "web", version: "1.0.0", root });
      const object = store.objects.get(storeKeys.artifact("web", "1.1.0", "web-1.1.0.tgz"));
      if (!object) throw new Error("artifact missing");
      const at = object.body.length - 10;
      object.body.writeUInt8(object.body.readUInt8(at) ^ 0xff, at);
      await expect(install({ store, app: "web", version: "1.1.0", root })).rejects.toSatisfy((e) =>
        isDeployKitError(e, "E_CHECKSUM_MISMATCH"),
      );
      expect(await live(root)).toBe("v1.0.0");
      expect(existsSync(join(root, "releases", "1.1.0"))).toBe(false);
      // A refused download leaves no empty cache dir behind (issue 10, item 4).
      expect(existsSync(join(root, ".deploykit", "cache", "1.1.0"))).toBe(false);
    } finally {
      await ws.cleanup();
    }
  });

  it("invalid app names, versions and options are refused before anything is written", async () => {
    const ws = await workspace(() => createMemoryStore());
    try {
      const root = join(ws.dir, "host");
      const attempts = [
        { app: "Bad App", version: "1.0.0" },
        { app: "web", version: "v1" },
        { app: "web", version: "1.0.0", channel: "production" },
        { app: "web" },
        { app: "web", version: "1.0.0", keep: 0 },
        { app: "web", version: "1.0.0", sharedDirs: ["../etc"] },
      ];
      for (const attempt of attempts) {
        await expect(install({ store: ws.store, root, ...attempt })).rejects.toSatisfy(
          (e) => isDeployKitError(e) && e.code.startsWith("E_INVALID"),
        );
      }
      expect(existsSync(root)).toBe(false);
    } finally {
      await ws.cleanup();
    }
  });

  it("an abort during the download is E_ABORTED and leaves the live release untouched", async () => {
    const ws = await workspace(() => createMemoryStore());
    try {
      const root = join(ws.dir, "host");
      for (const v of ["1.0.0", "1.1.0"])
        await publish(await makePackage(ws.dir, "web", v, { "server.js": `v${v}` }), { store: ws.store });
      await install({ store: ws.store, app: "web", version: "1.0.0", root });
      const controller = new AbortController();
      const attempt = install({
        store: ws.store,
        app: "web",
        version: "1.1.0",
        root,
        signal: controller.signal,
        onEvent: (e) => e.type === "step:start" && e.step === "download" && controller.abort(),
      });
      await expect(attempt).rejects.toSatisfy((e) => isDeployKitError(e, "E_ABORTED"));
      expect(await live(root)).toBe("v1.0.0");
      expect(existsSync(join(root, "releases", "1.1.0"))).toBe(false);
      expect(existsSync(join(root, ".deploykit", "lock"))).toBe(false);
    } finally {
      await ws.cleanup();
    }
  });

  it("a missing version is E_NOT_FOUND and leaves the host as it was", async () => {
    const ws = await workspace(() => createMemoryStore());
    try {
      const root = join(ws.dir, "host");
      await mkdir(root);
      await expect(install({ store: ws.store, app: "web", version: "9.9.9", root })).rejects.toSatisfy((e) =>
        isDeployKitError(e, "E_NOT_FOUND"),
      );
      expect(existsSync(join(root, "current"))).toBe(false);
    } finally {
      await ws.cleanup();
    }
  });
});
