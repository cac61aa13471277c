import { existsSync } from "node:fs";
import { readdir, readFile, readlink, rm } from "node:fs/promises";
import { join } from "node:path";
import {
  type ArtifactStore,
  createFsStore,
  deploy,
  generateSigningKey,
  install,
  isDeployKitError,
  listInstalled,
  planInstall,
  publish,
  type RuntimeStrategy,
  restartLive,
  status,
} from "@deploykit/core";
import { afterEach, describe, expect, it } from "vitest";
import { makePackage, tempDir } from "./support/package";

// What a root already holds decides what may go into it, and a command that fails on its input
// leaves no trace on the host: the fresh-eyes tester's findings on install/deploy.
let work: Awaited<ReturnType<typeof tempDir>>;
afterEach(() => work?.cleanup());

const strategy: RuntimeStrategy = { name: "fake", restart: async () => ({ strategy: "fake" }) };

async function published(storeName: string, app: string, version: string, body = `${app} v${version}`) {
  const store = createFsStore({ dir: join(work.dir, storeName) });
  const pkg = await makePackage(join(work.dir, `${storeName}-${app}-${version}`), app, version, {
    "server.js": body,
  });
  await publish(pkg, { store });
  return store;
}

/** Every path under `dir`, relative, sorted (what a failed command must not change). */
async function tree(dir: string): Promise<string[]> {
  if (!existsSync(dir)) return [];
  return (await readdir(dir, { recursive: true })).map(String).sort();
}

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error("expected it to fail");
    },
    (error: unknown) => error,
  );

describe("one root holds one app", () => {
  it("installing another app into a root is E_HOST_STATE naming the app it holds, before anything is written", async () => {
    work = await tempDir();
    const hello = await published("store", "hello", "1.0.0");
    await publish(await makePackage(join(work.dir, "h2"), "hello", "2.0.0", { "server.js": "hello 2" }), {
      store: hello,
    });
    const rstore = await published("rstore", "rack", "1.0.0");
    await publish(await makePackage(join(work.dir, "r2"), "rack", "2.0.0", { "server.js": "rack 2" }), {
      store: rstore,
    });
    const root = join(work.dir, "one");
    await install({ store: hello, app: "hello", version: "1.0.0", root });
    const before = await tree(root);
    const state = await readFile(join(root, ".deploykit", "state.json"), "utf8");
    for (const version of ["1.0.0", "2.0.0"]) {
      for (const run of [
        () => install({ store: rstore, app: "rack", version, root }),
        () => deploy({ store: rstore, app: "rack", version, root, strategy }),
        () => planInstall({ store: rstore, app: "rack", version, root }),
      ]) {
        const error = await failure(run());
        expect(isDeployKitError(error, "E_HOST_STATE"), String(error)).toBe(true);
        expect((error as Error).message).toContain("holds app hello");
        expect((error as { hint?: string }).hint).toMatch(/root of its own/);
      }
    }
    expect(await tree(root)).toEqual(before);
    expect(await readFile(join(root, ".deploykit", "state.json"), "utf8")).toBe(state);
    expect(await readlink(join(root, "current"))).toBe(join("releases", "1.0.0"));
  });
});

describe("a version is immutable", () => {
  it("the same version with other bytes is E_CHECKSUM_MISMATCH naming both sha256 prefixes, nothing touched", async () => {
    work = await tempDir();
    const first = await published("store", "hello", "1.0.0", "first bytes");
    const other = await published("other", "hello", "1.0.0", "other bytes");
    const root = join(work.dir, "host");
    const installed = await install({ store: first, app: "hello", version: "1.0.0", root });
    const had = installed.release.manifest.artifact.sha256;
    const before = await tree(root);
    for (const run of [
      () => install({ store: other, app: "hello", version: "1.0.0", root }),
      () => deploy({ store: other, app: "hello", version: "1.0.0", root, strategy }),
    ]) {
      const error = await failure(run());
      expect(isDeployKitError(error, "E_CHECKSUM_MISMATCH"), String(error)).toBe(true);
      expect((error as Error).message).toContain(had.slice(0, 12));
      const stored = (error as { details: { store: string } }).details.store;
      expect(stored).not.toBe(had);
      expect((error as Error).message).toContain(stored.slice(0, 12));
    }
    expect(await tree(root)).toEqual(before);
    expect(await readFile(join(root, "current", "server.js"), "utf8")).toBe("first bytes");
  });
});

describe("a command that fails on its input creates nothing on the host", () => {
  const refusedWithoutTrace = async (run: (root: string) => Promise<unknown>, code: string) => {
    const root = join(work.dir, `root-${Math.random().toString(36).slice(2)}`);
    const error = await failure(run(root));
    expect(isDeployKitError(error), String(error)).toBe(true);
    expect((error as { code: string }).code).toBe(code);
    expect(existsSync(root), `${root} was created`).toBe(false);
  };

  it("an unknown version or channel, an unsigned release, a restart with nothing live", async () => {
    work = await tempDir();
    const store: ArtifactStore = await published("store", "hello", "1.0.0");
    const { publicKey } = await generateSigningKey({ secretKeyPath: join(work.dir, "k.key") });
    for (const run of [install, (o: Parameters<typeof install>[0]) => deploy({ ...o, strategy })]) {
      await refusedWithoutTrace(
        (root) => run({ store, app: "hello", version: "9.9.9", root }),
        "E_NOT_FOUND",
      );
      await refusedWithoutTrace(
        (root) => run({ store, app: "hello", channel: "stagign", root }),
        "E_NOT_FOUND",
      );
      await refusedWithoutTrace(
        (root) => run({ store, app: "hello", version: "1.0.0", root, trustedKeys: [publicKey] }),
        "E_SIGNATURE",
      );
    }
    await refusedWithoutTrace((root) => restartLive({ root, strategy }), "E_NOT_FOUND");
  });
});

describe("a live release whose directory is gone is not 'unchanged'", () => {
  it("install and deploy of the live version unpack it again and point current at it", async () => {
    work = await tempDir();
    const store = await published("store", "hello", "1.0.0");
    await publish(await makePackage(join(work.dir, "h2"), "hello", "2.0.0", { "server.js": "hello 2" }), {
      store,
    });
    const root = join(work.dir, "host");
    for (const version of ["1.0.0", "2.0.0"]) await install({ store, app: "hello", version, root });
    const served = () => readFile(join(root, "current", "server.js"), "utf8");

    expect((await status({ root })).missing).toBeUndefined();
    await rm(join(root, "releases", "2.0.0"), { recursive: true });
    expect((await status({ root })).missing).toContain(join(root, "releases", "2.0.0"));
    expect(await planInstall({ store, app: "hello", version: "2.0.0", root })).toMatchObject({
      unchanged: false,
    });
    const events: string[] = [];
    const again = await install({
      store,
      app: "hello",
      version: "2.0.0",
      root,
      onEvent: (e) => (e.type === "warning" ? events.push(e.message) : undefined),
    });
    expect(again).toMatchObject({
      unchanged: false,
      release: { version: "2.0.0" },
      previous: { version: "1.0.0" },
    });
    expect(await served()).toBe("hello 2");
    expect((await status({ root })).missing).toBeUndefined();
    expect(events.join("\n")).toMatch(/2\.0\.0 is live but .* is missing/);
    // Where a rollback goes is unchanged by the repair.
    expect(await listInstalled(root)).toMatchObject({ current: "2.0.0", previous: "1.0.0" });
    expect((await install({ store, app: "hello", version: "2.0.0", root })).unchanged).toBe(true);

    // current removed by hand: pointed at the release again.
    await rm(join(root, "current"));
    expect((await install({ store, app: "hello", version: "2.0.0", root })).unchanged).toBe(false);
    expect(await readlink(join(root, "current"))).toBe(join("releases", "2.0.0"));

    await rm(join(root, "releases", "2.0.0"), { recursive: true });
    const restarted: string[] = [];
    const deployed = await deploy({
      store,
      app: "hello",
      version: "2.0.0",
      root,
      strategy: {
        name: "fake",
        restart: async ({ release }) => {
          restarted.push(`${release.version}:${await readFile(join(release.dir, "server.js"), "utf8")}`);
          return { strategy: "fake" };
        },
      },
    });
    expect(deployed).toMatchObject({ rolledBack: false, release: { version: "2.0.0" } });
    expect(deployed.unchanged).not.toBe(true);
    expect(restarted).toEqual(["2.0.0:hello 2"]);
    expect(await served()).toBe("hello 2");
  });
});
