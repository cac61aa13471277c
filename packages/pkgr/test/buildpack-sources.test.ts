import { createReadStream } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { type DeployEvent, isDeployKitError } from "@deploykit/core";
import { type BuildOptions, buildPackage } from "@deploykit/pkgr";
import { create } from "tar";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  buildpackRepo,
  fixtureBuildpack,
  git,
  gitCommitAll,
  gitInit,
  tempDirs,
  tgzEntries,
  tgzFile,
  writeTree,
} from "./helpers";

const temp = tempDirs();
afterAll(() => temp.cleanup());

let appDir: string;
let caches: string;
let flavoured: { url: string; dir: string; tagCommit: string; edgeCommit: string };

/** A buildpack whose compile writes which flavour (tag or branch) it is. */
const flavourBuildpack = (flavour: string) => ({
  "bin/detect": "#!/usr/bin/env bash\necho Flavour\n",
  "bin/compile": `#!/usr/bin/env bash\necho "flavour ${flavour}"\necho "${flavour}" > "$1/flavour.txt"\n`,
});

beforeAll(async () => {
  caches = await temp.make("caches");
  appDir = join(await temp.make("app"), "multi");
  await writeTree(appDir, { "index.html": "<p>hi</p>\n" });
  const dir = join(await temp.make("bp"), "flavour-buildpack");
  await writeTree(dir, flavourBuildpack("tag-v1"));
  const tagCommit = await gitInit(dir);
  await git(dir, "tag", "v1");
  await git(dir, "checkout", "-q", "-b", "edge");
  await writeTree(dir, flavourBuildpack("edge"));
  const edgeCommit = await gitCommitAll(dir, "edge flavour");
  await git(dir, "checkout", "-q", "main");
  flavoured = { url: pathToFileURL(dir).href, dir, tagCommit, edgeCommit };
});

const build = async (extra: Partial<BuildOptions>) =>
  buildPackage({
    appDir,
    version: "1.0.0",
    outDir: await temp.make("out"),
    compileCacheDir: join(caches, "compile"),
    buildpackCacheDir: join(caches, "buildpacks"),
    ...extra,
  });

describe("buildpack sources", () => {
  it("selects a tag or a branch with #ref and records the resolved commit", async () => {
    const tag = await build({ buildpacks: [`${flavoured.url}#v1`] });
    expect(await tgzFile(tag.path, "flavour.txt")).toBe("tag-v1");
    expect(tag.manifest.build.buildpacks).toEqual([
      { url: `${flavoured.url}#v1`, commit: flavoured.tagCommit },
    ]);
    const branch = await build({ buildpacks: [`${flavoured.url}#edge`] });
    expect(await tgzFile(branch.path, "flavour.txt")).toBe("edge");
    expect(branch.manifest.build.buildpacks[0]?.commit).toBe(flavoured.edgeCommit);
    const head = await build({ buildpacks: [flavoured.url] });
    expect(head.manifest.build.buildpacks[0]?.commit).toBe(flavoured.tagCommit);
  });

  it("refreshes a cached clone unless told not to", async () => {
    await git(flavoured.dir, "checkout", "-q", "edge");
    await writeTree(flavoured.dir, flavourBuildpack("edge-2"));
    const newer = await gitCommitAll(flavoured.dir, "edge 2");
    await git(flavoured.dir, "checkout", "-q", "main");
    const stale = await build({ buildpacks: [`${flavoured.url}#edge`], refreshBuildpacks: false });
    expect(stale.manifest.build.buildpacks[0]?.commit).toBe(flavoured.edgeCommit);
    const fresh = await build({ buildpacks: [`${flavoured.url}#edge`] });
    expect(fresh.manifest.build.buildpacks[0]?.commit).toBe(newer);
    expect(await tgzFile(fresh.path, "flavour.txt")).toBe("edge-2");
  });

  it("runs a .buildpacks list in order, skipping those that do not detect, sourcing each export file", async () => {
    const parent = await temp.make("bps");
    const exporter = await buildpackRepo(parent, "exporter");
    const nodetect = await buildpackRepo(parent, "nodetect");
    const reader = await buildpackRepo(parent, "reader");
    const app = join(await temp.make("app"), "chained");
    await writeTree(app, {
      ".buildpacks": `# order matters\n${exporter.url}\n\n${nodetect.url}#main\n${reader.url}\n`,
      "index.html": "x\n",
    });
    const events: DeployEvent[] = [];
    const pkg = await build({ appDir: app, onEvent: (e) => events.push(e) });
    expect(pkg.manifest.build.buildpacks.map((b) => b.url)).toEqual([exporter.url, reader.url]);
    expect(await tgzFile(pkg.path, "chained.txt")).toMatch(/\/build\/chained\/vendor\/tool$/);
    expect(pkg.manifest.processes).toEqual({ web: "./bin/reader-web" });
    const logs = events.filter((e) => e.type === "log").map((e) => e.line);
    expect(logs.some((l) => l.startsWith("-----> reader: CHAINED_TOOL_HOME=[/"))).toBe(true);
    expect(logs).not.toContain("nodetect compile must never run");
  });

  it("uses a local directory or a .tgz buildpack", async () => {
    const tarball = join(await temp.make("tgz"), "reader.tgz");
    await create({ gzip: true, file: tarball, cwd: join(fixtureBuildpack("reader"), ".."), portable: true }, [
      "reader",
    ]);
    const fromTgz = await build({ buildpacks: [tarball] });
    expect(await tgzFile(fromTgz.path, "chained.txt")).toBe("unset");
    expect(fromTgz.manifest.build.buildpacks).toEqual([{ url: tarball }]);
    const fromDir = await build({ buildpacks: [fixtureBuildpack("reader")] });
    expect(fromDir.manifest.processes).toEqual({ web: "./bin/reader-web" });
  });

  it("downloads a .tgz buildpack over http", async () => {
    const tarball = join(await temp.make("tgz"), "reader.tgz");
    await create({ gzip: true, file: tarball, cwd: fixtureBuildpack("reader"), portable: true }, ["bin"]);
    const server = createServer((request, response) => {
      if (request.url !== "/buildpacks/reader.tgz") return void response.writeHead(404).end();
      response.writeHead(200, { "content-type": "application/gzip" });
      createReadStream(tarball).pipe(response);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const url = `http://127.0.0.1:${port}/buildpacks/reader.tgz`;
      const pkg = await build({ buildpacks: [url] });
      expect(pkg.manifest.build.buildpacks).toEqual([{ url }]);
      expect(await tgzFile(pkg.path, "chained.txt")).toBe("unset");
      const missing = await build({ buildpacks: [url.replace("reader", "missing")] }).catch(
        (e: unknown) => e,
      );
      expect(isDeployKitError(missing, "E_BUILDPACK_FETCH")).toBe(true);
      expect((missing as Error).message).toContain("HTTP 404");
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("fails with E_BUILDPACK_DETECT naming every buildpack tried", async () => {
    const error = await build({ buildpacks: [fixtureBuildpack("nodetect"), fixtureBuildpack("node")] }).catch(
      (e: unknown) => e,
    );
    expect(isDeployKitError(error, "E_BUILDPACK_DETECT")).toBe(true);
    expect((error as Error).message).toContain(
      `Tried: ${fixtureBuildpack("nodetect")} (detect exit 1), ${fixtureBuildpack("node")}`,
    );
  });

  it("fails with E_BUILDPACK_FETCH naming the URL and ref for a missing repo or ref, or a non-buildpack", async () => {
    const missing = pathToFileURL(join(caches, "nope.git")).href;
    const cloneError = await build({ buildpacks: [`${missing}#v9`] }).catch((e: unknown) => e);
    expect(isDeployKitError(cloneError, "E_BUILDPACK_FETCH")).toBe(true);
    expect((cloneError as Error).message).toContain(`${missing} at v9: git clone failed`);
    const refError = await build({ buildpacks: [`${flavoured.url}#no-such-tag`] }).catch((e: unknown) => e);
    expect(isDeployKitError(refError, "E_BUILDPACK_FETCH")).toBe(true);
    expect((refError as Error).message).toContain('no branch, tag or commit "no-such-tag"');
    const empty = await temp.make("empty-bp");
    await mkdir(join(empty, "bin"));
    await writeFile(join(empty, "bin", "detect"), "#!/bin/sh\n", { mode: 0o755 });
    const notBuildpack = await build({ buildpacks: [empty] }).catch((e: unknown) => e);
    expect(isDeployKitError(notBuildpack, "E_BUILDPACK_FETCH")).toBe(true);
    expect((notBuildpack as Error).message).toContain("bin/compile is missing");
  });

  it("reads buildpack, env and hooks from .pkgr.yml, running before/after hooks in the build dir", async () => {
    const app = join(await temp.make("app"), "ymlapp");
    await writeTree(app, {
      ".pkgr.yml": `name: yml-app\nbuildpack: ${fixtureBuildpack("reader")}\nenv:\n  - GREETING=hello-from-yml\nsecrets:\n  - GREETING\nbefore:\n  - echo "$GREETING" > before.txt\nafter:\n  - test -f chained.txt && touch after.txt\n`,
      "index.html": "x\n",
    });
    const events: DeployEvent[] = [];
    const pkg = await build({ appDir: app, onEvent: (e) => events.push(e) });
    expect(pkg.manifest.app).toBe("yml-app");
    const paths = (await tgzEntries(pkg.path)).map((e) => e.path);
    expect(paths).toEqual(expect.arrayContaining(["before.txt", "after.txt", "chained.txt", ".pkgr.yml"]));
    // GREETING is declared secret in .pkgr.yml and the hook itself wrote its value into the app:
    // the build says so (by name, not value).
    expect(await tgzFile(pkg.path, "before.txt")).toBe("hello-from-yml");
    const warnings = events.filter((e) => e.type === "warning").map((e) => e.message);
    expect(warnings).toEqual([expect.stringMatching(/^The package contains the value of GREETING: /)]);
  });
});
