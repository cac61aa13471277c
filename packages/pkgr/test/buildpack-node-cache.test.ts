import { existsSync, readdirSync } from "node:fs";
import { mkdir, readdir } from "node:fs/promises";
import { join } from "node:path";
import { type DeployEvent, isDeployKitError, type LogEvent } from "@deploykit/core";
import { buildPackage } from "@deploykit/pkgr";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildpackRepo, fixtureBuildpack, tempDirs, tgzEntries, tgzFile, writeTree } from "./helpers";

const temp = tempDirs();
afterAll(() => temp.cleanup());
let caches: string;
beforeAll(async () => {
  caches = await temp.make("caches");
});

const logLines = (events: DeployEvent[]) =>
  events.filter((e): e is LogEvent => e.type === "log").map((e) => e.line);

describe("the node fixture buildpack", () => {
  it("vendors node into vendor/node, runs npm ci offline and declares web; the packaged node runs", async () => {
    const bp = await buildpackRepo(await temp.make("bp"), "node");
    const appDir = join(await temp.make("app"), "hello-node");
    await writeTree(appDir, {
      "package.json": JSON.stringify({ name: "hello-node", version: "1.0.0", private: true }, null, 2),
      "package-lock.json": JSON.stringify(
        {
          name: "hello-node",
          version: "1.0.0",
          lockfileVersion: 3,
          requires: true,
          packages: { "": { name: "hello-node", version: "1.0.0" } },
        },
        null,
        2,
      ),
      "server.js": "console.log('node ' + process.version + ' ok')\n",
    });
    const events: DeployEvent[] = [];
    const pkg = await buildPackage({
      appDir,
      version: "1.0.0",
      buildpacks: [`${bp.url}#main`],
      outDir: await temp.make("out"),
      compileCacheDir: join(caches, "node"),
      buildpackCacheDir: join(caches, "buildpacks"),
      onEvent: (e) => events.push(e),
    });
    expect(pkg.manifest.processes).toEqual({ web: "node server.js" });
    expect(logLines(events)).toContain("-----> npm ci --offline");
    const entries = await tgzEntries(pkg.path);
    expect(entries.find((e) => e.path === "vendor/node/bin/node")?.mode).toBe(0o755);
    expect(await tgzFile(pkg.path, ".profile.d/node.sh")).toContain("vendor/node/bin");
    const unpacked = await temp.make("unpacked");
    await execa("tar", ["-xzf", pkg.path, "-C", unpacked]);
    const { stdout } = await execa("sh", ["-c", ". ./.profile.d/node.sh && node server.js"], {
      cwd: unpacked,
      env: { HOME: unpacked, PATH: "/usr/bin:/bin" },
      extendEnv: false,
    });
    expect(stdout).toBe(`node ${process.version} ok`);
  });
});

describe("the persistent compile cache", () => {
  it("skips the cached step on the second build of the same app, observed through the log", async () => {
    const appDir = join(await temp.make("app"), "cached");
    await writeTree(appDir, { "deps.txt": "left-pad 1.3.0\n" });
    const cacheDir = join(caches, "cached-app");
    const run = async () => {
      const events: DeployEvent[] = [];
      const pkg = await buildPackage({
        appDir,
        version: "1.0.0",
        buildpacks: [fixtureBuildpack("cache")],
        env: { CACHE_FIXTURE_MB: "1" },
        outDir: await temp.make("out"),
        compileCacheDir: cacheDir,
        onEvent: (e) => events.push(e),
      });
      return { pkg, logs: logLines(events) };
    };
    const first = await run();
    expect(first.logs.some((l) => l.includes("deps cache miss"))).toBe(true);
    const second = await run();
    expect(second.logs.some((l) => l.includes("deps cache hit"))).toBe(true);
    expect(second.logs.some((l) => l.includes("deps cache miss"))).toBe(false);
    expect(await tgzFile(second.pkg.path, "deps/installed.sum")).toBe(
      await tgzFile(first.pkg.path, "deps/installed.sum"),
    );
  });

  it("defaults CACHE_DIR to a per-app folder under the user's cache dir", async () => {
    const previous = process.env.XDG_CACHE_HOME;
    process.env.XDG_CACHE_HOME = await temp.make("xdg");
    try {
      const appDir = join(await temp.make("app"), "cache-default");
      await writeTree(appDir, { "deps.txt": "x\n" });
      await buildPackage({
        appDir,
        version: "1.0.0",
        buildpacks: [fixtureBuildpack("cache")],
        env: { CACHE_FIXTURE_MB: "1" },
        outDir: await temp.make("out"),
      });
      const { stdout } = await execa("ls", [
        join(process.env.XDG_CACHE_HOME, "deploykit", "compile", "cache-default"),
      ]);
      expect(stdout).toMatch(/deps-[0-9a-f]{16}\.done/);
    } finally {
      if (previous === undefined) delete process.env.XDG_CACHE_HOME;
      else process.env.XDG_CACHE_HOME = previous;
    }
  });
});

describe("build dir hygiene", () => {
  it("leaves ignored folders out of the build dir and keeps ENV_DIR out of the app", async () => {
    const appDir = join(await temp.make("app"), "hygiene");
    await writeTree(appDir, { "deps.txt": "y\n", ".slugignore": "secret-stuff/\n" });
    await mkdir(join(appDir, "secret-stuff"));
    const pkg = await buildPackage({
      appDir,
      version: "1.0.0",
      buildpacks: [fixtureBuildpack("cache")],
      env: { CACHE_FIXTURE_MB: "1", API_KEY: "value-of-api-key" },
      outDir: await temp.make("out"),
      compileCacheDir: join(caches, "hygiene"),
    });
    const paths = (await tgzEntries(pkg.path)).map((e) => e.path);
    expect(paths.some((p) => p.startsWith("secret-stuff") || p.includes("API_KEY"))).toBe(false);
  });
});

describe("stopping a build", () => {
  it("aborts a running compile with E_ABORTED and removes its temp dir", async () => {
    const appDir = join(await temp.make("app"), "aborted");
    await writeTree(appDir, { "deps.txt": "abort-me\n" });
    const controller = new AbortController();
    // A private TMPDIR for this build, so only its own temp dir is looked for.
    const privateTmp = await temp.make("tmpdir");
    const outDir = await temp.make("out");
    const previous = process.env.TMPDIR;
    process.env.TMPDIR = privateTmp;
    let sawWorkDir = false;
    const error = await buildPackage({
      appDir,
      version: "1.0.0",
      buildpacks: [fixtureBuildpack("cache")],
      env: { CACHE_FIXTURE_MB: "512" },
      outDir,
      compileCacheDir: join(caches, "aborted"),
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === "log" && e.line.includes("deps cache miss")) {
          sawWorkDir =
            existsSync(privateTmp) && readdirSync(privateTmp).some((d) => d.startsWith("deploykit-build-"));
          controller.abort();
        }
      },
    })
      .catch((e: unknown) => e)
      .finally(() => {
        if (previous === undefined) delete process.env.TMPDIR;
        else process.env.TMPDIR = previous;
      });
    expect(isDeployKitError(error, "E_ABORTED")).toBe(true);
    expect(sawWorkDir).toBe(true);
    expect(await readdir(privateTmp)).toEqual([]);
  });

  it("fails a broken before hook with E_COMMAND_FAILED naming the command", async () => {
    const appDir = join(await temp.make("app"), "hooked");
    await writeTree(appDir, { "deps.txt": "x\n" });
    const error = await buildPackage({
      appDir,
      version: "1.0.0",
      beforePrecompile: ["echo about to fail; exit 4"],
      outDir: await temp.make("out"),
    }).catch((e: unknown) => e);
    expect(isDeployKitError(error, "E_COMMAND_FAILED")).toBe(true);
    expect((error as Error).message).toContain("`echo about to fail; exit 4` exited with 4");
    expect((error as Error).message).toContain("about to fail");
  });
});
