import { createHash } from "node:crypto";
import { readdir, readFile, symlink, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { isDeployKitError } from "@deploykit/core";
import { buildPackage, DEFAULT_MTIME } from "@deploykit/pkgr";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { git, gitInit, tempDirs, tgzEntries, tgzFile, writeTree } from "./helpers";

const temp = tempDirs();
afterAll(() => temp.cleanup());

const APP = {
  Procfile:
    "# processes\nweb: node server.js --port $PORT\nworker:   node worker.js  \nweb: ignored duplicate\nnot a process line\n",
  "server.js": "console.log('hi')\n",
  "lib/a.js": "module.exports = 1\n",
  "lib/b.js": "module.exports = 2\n",
  "bin/run": "#!/bin/sh\nexec node server.js\n",
  "log/dev.log": "noise\n",
  "tmp/cache/x": "noise\n",
  "docs/big.pdf": "pdf\n",
  ".slugignore": "*.pdf\nlog/\n",
  ".pkgrignore": "/tmp\n",
};

describe("buildPackage without buildpacks (.tgz)", () => {
  let appDir: string;
  beforeAll(async () => {
    appDir = join(await temp.make("app"), "hello");
    await writeTree(appDir, APP);
    await symlink("lib/a.js", join(appDir, "main.js"));
    await gitInit(appDir);
    await git(appDir, "tag", "v1.4.2");
  });

  it("packs the tree with Procfile processes, leaving out .git and ignore-listed paths", async () => {
    const outDir = await temp.make("out");
    const pkg = await buildPackage({ appDir, outDir, iteration: "3" });
    expect(pkg.manifest).toMatchObject({
      app: "hello",
      version: "1.4.2-3",
      format: "tgz",
      processes: { web: "node server.js --port $PORT", worker: "node worker.js" },
      build: { buildpacks: [], sourceCommit: await git(appDir, "rev-parse", "HEAD") },
    });
    expect(pkg.path).toBe(join(outDir, "hello_1.4.2-3.tgz"));
    expect(await readdir(outDir)).toEqual(["hello_1.4.2-3.tgz"]);
    const bytes = await readFile(pkg.path);
    expect(pkg.manifest.artifact).toEqual({
      file: "hello_1.4.2-3.tgz",
      size: bytes.length,
      sha256: createHash("sha256").update(bytes).digest("hex"),
    });
    const paths = (await tgzEntries(pkg.path)).map((e) => e.path);
    expect(paths).toEqual([
      ".pkgrignore",
      ".slugignore",
      "Procfile",
      "bin/",
      "bin/run",
      "docs/",
      "lib/",
      "lib/a.js",
      "lib/b.js",
      "main.js",
      "server.js",
    ]);
    expect(await tgzFile(pkg.path, "lib/b.js")).toBe("module.exports = 2");
  });

  it("writes sorted entries owned by 0:0 with one fixed mtime and the file modes kept", async () => {
    const pkg = await buildPackage({ appDir, outDir: await temp.make("out"), version: "1.0.0" });
    const entries = await tgzEntries(pkg.path);
    const paths = entries.map((e) => e.path);
    expect(paths).toEqual([...paths].sort());
    for (const entry of entries) {
      expect([entry.uid, entry.gid]).toEqual([0, 0]);
      if (entry.type !== "Directory") expect(entry.mtime).toBe(DEFAULT_MTIME.getTime());
    }
    expect(entries.find((e) => e.path === "bin/run")?.mode).toBe(0o755);
    expect(entries.find((e) => e.path === "main.js")?.type).toBe("SymbolicLink");
    const { stdout } = await import("execa").then(({ execa }) => execa("tar", ["-tvzf", pkg.path]));
    expect(stdout).toContain("0/0");
  });

  it("is reproducible: two builds of one tree are byte-identical even after the files are touched", async () => {
    const first = await buildPackage({ appDir, outDir: await temp.make("out"), version: "1.0.0" });
    await utimes(join(appDir, "server.js"), new Date(), new Date("2030-01-01"));
    const second = await buildPackage({ appDir, outDir: await temp.make("out"), version: "1.0.0" });
    expect(second.manifest.artifact.sha256).toBe(first.manifest.artifact.sha256);
    expect(Buffer.compare(await readFile(first.path), await readFile(second.path))).toBe(0);
  });

  it("stamps SOURCE_DATE_EPOCH (or the mtime option) on every file", async () => {
    const previous = process.env.SOURCE_DATE_EPOCH;
    process.env.SOURCE_DATE_EPOCH = "1700000000";
    try {
      const pkg = await buildPackage({ appDir, outDir: await temp.make("out"), version: "1.0.0" });
      const files = (await tgzEntries(pkg.path)).filter((e) => e.type === "File");
      expect(new Set(files.map((e) => e.mtime))).toEqual(new Set([1_700_000_000_000]));
    } finally {
      if (previous === undefined) delete process.env.SOURCE_DATE_EPOCH;
      else process.env.SOURCE_DATE_EPOCH = previous;
    }
  });

  it("defaults the version like pkgr: latest tag without its leading non-digits, else 0.0.0", async () => {
    const plain = join(await temp.make("plain"), "plain-app");
    await writeTree(plain, { "index.js": "1\n" });
    const untagged = await buildPackage({ appDir: plain, outDir: await temp.make("out") });
    expect(untagged.manifest.version).toBe("0.0.0");
    expect(untagged.manifest.processes).toEqual({});
    const tagged = await buildPackage({ appDir, outDir: await temp.make("out") });
    expect(tagged.manifest.version).toBe("1.4.2");
  });

  it("refuses bad input before writing anything", async () => {
    const outDir = join(await temp.make("out"), "never");
    const cases = [
      [{ name: "Bad_Name" }, "E_INVALID_NAME"],
      [{ version: "not a version" }, "E_INVALID_VERSION"],
      [{ version: "1.0", iteration: "bad iteration" }, "E_INVALID_VERSION"],
      [{ format: "rpm" as never, version: "1.0" }, "E_UNSUPPORTED_FORMAT"],
      [{ appDir: join(appDir, "missing") }, "E_INVALID_INPUT"],
    ] as const;
    for (const [extra, code] of cases) {
      const error = await buildPackage({ appDir, outDir, ...extra }).catch((e: unknown) => e);
      expect(isDeployKitError(error, code), `${JSON.stringify(extra)} -> ${String(error)}`).toBe(true);
    }
    const rpm = await buildPackage({ appDir, outDir, format: "rpm" as never, version: "1.0" }).catch(
      (e: Error) => e,
    );
    expect((rpm as Error).message).toBe('Unknown package format "rpm".');
    await expect(readdir(outDir)).rejects.toThrow(/ENOENT/);
  });

  it("reports pack progress and step events", async () => {
    const events: string[] = [];
    await buildPackage({
      appDir,
      outDir: await temp.make("out"),
      version: "1.0.0",
      onEvent: (e) =>
        events.push(e.type === "progress" ? "progress" : `${e.type}:${"step" in e ? e.step : ""}`),
    });
    expect(events[0]).toBe("step:start:pack");
    expect(events).toContain("progress");
    expect(events.at(-1)).toBe("step:finish:pack");
  });

  it("honours an already-aborted signal", async () => {
    const controller = new AbortController();
    controller.abort();
    const error = await buildPackage({
      appDir,
      outDir: await temp.make("out"),
      signal: controller.signal,
    }).catch((e: unknown) => e);
    expect(isDeployKitError(error, "E_ABORTED")).toBe(true);
  });

  it("never packs its own output nor earlier artifacts of the app, wherever it builds to", async () => {
    const app = join(await temp.make("self"), "selfish");
    await writeTree(app, {
      "index.js": "1\n",
      "selfish_0.9.tgz": "an older artifact\n",
      "selfish_0.9.tgz.manifest.json": "{}\n",
      "pkg/keep.txt": "x\n",
    });
    const intoRoot = await buildPackage({ appDir: app, outDir: app, version: "1.0.0" });
    expect((await tgzEntries(intoRoot.path)).map((e) => e.path)).toEqual([
      "index.js",
      "pkg/",
      "pkg/keep.txt",
    ]);
    const elsewhere = await buildPackage({ appDir: app, outDir: await temp.make("dist"), version: "1.0.1" });
    expect((await tgzEntries(elsewhere.path)).map((e) => e.path)).toEqual([
      "index.js",
      "pkg/",
      "pkg/keep.txt",
    ]);
    const intoSub = await buildPackage({ appDir: app, outDir: join(app, "pkg"), version: "1.0.2" });
    expect((await tgzEntries(intoSub.path)).map((e) => e.path)).toEqual(["index.js"]);
  });

  it("writes nothing but the artifact into outDir (no partial files left)", async () => {
    const outDir = await temp.make("out");
    await writeFile(join(outDir, "keep.txt"), "x");
    await buildPackage({ appDir, outDir, version: "2.0.0" });
    expect((await readdir(outDir)).sort()).toEqual(["hello_2.0.0.tgz", "keep.txt"]);
  });
});
