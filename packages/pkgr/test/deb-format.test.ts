import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { isDeployKitError } from "@deploykit/core";
import { writeDeb } from "@deploykit/pkgr";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LONG_PATH, makeApp, makeTempDir, removeDir, UNICODE_NAME } from "./fixtures/deb-support/app";
import { parseDeb, readTar } from "./fixtures/deb-support/reader";
import { attempt, requireTools, run } from "./fixtures/deb-support/tools";

const NAME = "dk-format-test";
const processes = { web: "bin/web", worker: "bin/worker" };
let work: string;
let app: string;

beforeAll(async () => {
  requireTools("dpkg-deb", "xz", "zstd");
  work = await makeTempDir("deb-format-");
  app = await makeApp(join(work, "app"), "1.0.0");
});
afterAll(() => removeDir(work));

const build = (out: string, extra: Partial<Parameters<typeof writeDeb>[0]> = {}) =>
  writeDeb({
    appDir: app,
    outDir: join(work, out),
    name: NAME,
    version: "1.0.0",
    iteration: "1",
    processes,
    ...extra,
  });

describe("writeDeb output read by our own parser", () => {
  it("has debian-binary, control.tar.gz, data.tar.gz; GNU tar, no PAX, root:root, ./ names, parents first", async () => {
    const deb = await build("plain");
    const bytes = await readFile(deb.path);
    expect(bytes.length).toBe(deb.size);
    const parsed = parseDeb(bytes);
    expect(parsed.members.map((m) => m.name)).toEqual(["debian-binary", "control.tar.gz", "data.tar.gz"]);
    for (const m of parsed.members)
      expect([m.uid, m.gid, m.mode, m.mtime]).toEqual([0, 0, 0o100644, 946_684_800]);
    for (const item of [...parsed.control, ...parsed.data]) {
      expect(item.magic).toBe("ustar  \0");
      expect([item.uid, item.gid, item.uname, item.gname]).toEqual([0, 0, "root", "root"]);
      expect(item.name.startsWith("./")).toBe(true);
    }
    const names = parsed.data.map((i) => i.name);
    names.forEach((name, index) => {
      const parent = name.replace(/[^/]+\/?$/, "");
      expect(names.indexOf(parent), `${parent} before ${name}`).toBeLessThan(index);
    });
    expect(names[0]).toBe("./");
    expect(names).toContain(`./opt/${NAME}/${LONG_PATH}`);
    expect(`./opt/${NAME}/${LONG_PATH}`.length).toBeGreaterThan(100);
    expect(names).toContain(`./opt/${NAME}/${UNICODE_NAME}`);
    const mode = (name: string) => parsed.data.find((i) => i.name === name)?.mode;
    expect(mode(`./opt/${NAME}/bin/web`)).toBe(0o755);
    expect(mode(`./opt/${NAME}/bin/worker`)).toBe(0o755);
    expect(mode(`./opt/${NAME}/VERSION`)).toBe(0o644);
    expect(mode(`./usr/bin/${NAME}`)).toBe(0o755);
    const link = parsed.data.find((i) => i.name === `./opt/${NAME}/web-link`);
    expect([link?.typeflag, link?.linkname]).toEqual(["2", "bin/web"]);
    const controlModes = Object.fromEntries(parsed.control.map((i) => [i.name, i.mode]));
    expect(controlModes).toMatchObject({
      "./": 0o755,
      "./control": 0o644,
      "./md5sums": 0o644,
      "./conffiles": 0o644,
      "./postinst": 0o755,
      "./prerm": 0o755,
      "./postrm": 0o755,
    });
    expect(controlModes["./preinst"]).toBeUndefined();
  });

  it("md5sums covers every regular file and matches its bytes; conffiles lists everything under /etc", async () => {
    const deb = await build("sums", { init: "sysv" });
    const parsed = parseDeb(await readFile(deb.path));
    const files = parsed.data.filter((i) => i.typeflag === "0");
    const { createHash } = await import("node:crypto");
    const expected = files.map(
      (f) => `${createHash("md5").update(f.data).digest("hex")}  ${f.name.slice(2)}`,
    );
    expect(parsed.file(parsed.control, "./md5sums").trimEnd().split("\n")).toEqual(expected);
    const etc = files.filter((f) => f.name.startsWith("./etc/")).map((f) => f.name.slice(1));
    expect(etc).toContain(`/etc/default/${NAME}`);
    expect(etc).toContain(`/etc/init.d/${NAME}-web`);
    expect(parsed.file(parsed.control, "./conffiles").trimEnd().split("\n")).toEqual(etc);
  });

  it("computes Installed-Size by dpkg's rule (files and symlinks rounded up, 1 KiB per other object)", async () => {
    const deb = await build("size");
    const parsed = parseDeb(await readFile(deb.path));
    let kib = 0;
    for (const item of parsed.data) {
      if (item.typeflag === "0") kib += Math.ceil(item.size / 1024);
      else if (item.typeflag === "2") kib += Math.ceil(Buffer.byteLength(item.linkname) / 1024);
      else kib += 1;
    }
    expect(parsed.file(parsed.control, "./control")).toContain(`Installed-Size: ${kib}\n`);
    expect(deb.installedSize).toBe(kib);
  });

  it("is byte-identical when built twice from the same input", async () => {
    const a = await build("twice-a");
    const b = await build("twice-b");
    expect(b.sha256).toBe(a.sha256);
    expect(Buffer.compare(await readFile(a.path), await readFile(b.path))).toBe(0);
  });

  it("writes data.tar.xz and data.tar.zst when asked, control stays gzip", async () => {
    const xz = parseDeb(await readFile((await build("xz", { compression: "xz" })).path));
    expect(xz.members.map((m) => m.name)).toEqual(["debian-binary", "control.tar.gz", "data.tar.xz"]);
    const zst = parseDeb(
      await readFile((await build("zst", { compression: "zstd", target: "debian-12" })).path),
    );
    expect(zst.members.map((m) => m.name)).toEqual(["debian-binary", "control.tar.gz", "data.tar.zst"]);
    expect(zst.data.map((i) => i.name)).toEqual(xz.data.map((i) => i.name));
  });

  it("refuses zstd for ubuntu-12.04 (and without a target) before writing anything", async () => {
    const error = await build("refused", { compression: "zstd", target: "ubuntu-12.04" }).catch((e) => e);
    expect(isDeployKitError(error, "E_INVALID_INPUT")).toBe(true);
    expect(error.message).toMatch(/ubuntu-12\.04 ships dpkg 1\.16\.1, which cannot read zstd/);
    const untargeted = await build("refused", { compression: "zstd" }).catch((e) => e);
    expect(isDeployKitError(untargeted, "E_INVALID_INPUT")).toBe(true);
    const { existsSync } = await import("node:fs");
    expect(existsSync(join(work, "refused"))).toBe(false);
  });

  it("rejects bad names, versions and homes with their codes", async () => {
    expect(isDeployKitError(await build("bad", { name: "Bad_Name" }).catch((e) => e), "E_INVALID_NAME")).toBe(
      true,
    );
    expect(isDeployKitError(await build("bad", { version: "v1" }).catch((e) => e), "E_INVALID_VERSION")).toBe(
      true,
    );
    expect(isDeployKitError(await build("bad", { home: "/usr" }).catch((e) => e), "E_INVALID_INPUT")).toBe(
      true,
    );
  });
});

describe("the independent reader catches what dpkg 1.16.1 cannot read", () => {
  it("rejects a PAX header (node-tar writes one for a non-ASCII name)", async () => {
    const tar = await import("tar");
    const { writeFile: write, mkdir: makeDir } = await import("node:fs/promises");
    const dir = join(work, "pax-src");
    await makeDir(dir, { recursive: true });
    await write(join(dir, "naïve.txt"), "x");
    const bytes = await new Promise<Buffer>((resolve, reject) => {
      const chunks: Buffer[] = [];
      tar
        .create({ cwd: dir, portable: true }, ["naïve.txt"])
        .on("data", (c: Buffer) => chunks.push(c))
        .on("end", () => resolve(Buffer.concat(chunks)))
        .on("error", reject);
    });
    expect(() => readTar(bytes)).toThrow(/PAX header/);
  });

  it("rejects a control member that is not control.tar.gz", async () => {
    const deb = await readFile((await build("control-xz")).path);
    const tweaked = Buffer.from(deb);
    const at = tweaked.indexOf("control.tar.gz");
    tweaked.write("control.tar.xz", at, "latin1");
    expect(() => parseDeb(tweaked)).toThrow(/control member is control\.tar\.xz/);
  });
});

describe("writeDeb output read by dpkg-deb", () => {
  it("--info shows every control field, --contents and -x match the tree", async () => {
    const deb = await build("dpkg", {
      maintainer: "Ops Team <ops@example.com>",
      homepage: "https://example.com/shop",
      depends: ["libc6 (>= 2.15)"],
      section: "web",
      description: "Example shop application\nThe shop as one package.\n\nSecond paragraph.",
    });
    const info = run("dpkg-deb", ["--info", deb.path]);
    for (const field of [
      `Package: ${NAME}`,
      "Version: 1.0.0-1",
      "Architecture: amd64",
      "Maintainer: Ops Team <ops@example.com>",
      `Installed-Size: ${deb.installedSize}`,
      "Depends: libc6 (>= 2.15)",
      "Section: web",
      "Priority: optional",
      "Homepage: https://example.com/shop",
      "Description: Example shop application",
      "  The shop as one package.\n  .\n  Second paragraph.",
    ]) {
      expect(info).toContain(field);
    }
    expect(run("dpkg-deb", ["--field", deb.path, "Version"]).trim()).toBe(deb.debVersion);
    const contents = run("dpkg-deb", ["--contents", deb.path]).trim().split("\n");
    const parsed = parseDeb(await readFile(deb.path));
    expect(contents.map((line) => line.replace(/^.*? \d\d:\d\d (.*?)( -> .*)?$/, "$1"))).toEqual(
      parsed.data.map((i) => i.name),
    );
    expect(contents.every((line) => line.includes(" root/root "))).toBe(true);
    const { readdir } = await import("node:fs/promises");
    const tree = (await readdir(app, { recursive: true })).map((path) => `./opt/${NAME}/${path}`);
    const listed = new Set(contents.map((line) => line.replace(/^.*? \d\d:\d\d (.*?)\/?( -> .*)?$/, "$1")));
    expect(tree.filter((path) => !listed.has(path))).toEqual([]);
    const out = join(work, "extracted");
    run("dpkg-deb", ["-x", deb.path, out]);
    expect(await readFile(join(out, "opt", NAME, LONG_PATH), "utf8")).toBe("# long path\n");
    expect(await readFile(join(out, "opt", NAME, UNICODE_NAME), "utf8")).toBe("unicode\n");
    expect(await readFile(join(out, "lib/systemd/system", `${NAME}-web.service`), "utf8")).toContain(
      `ExecStart=/usr/bin/${NAME} run web`,
    );
  });
});

describe("maintainer scripts and the wrapper", () => {
  for (const init of ["systemd", "upstart", "sysv"] as const) {
    it(`are valid shell with set -e, restart on upgrade only when asked, embed hooks (${init})`, async () => {
      const hooks = {
        beforeInstall: "echo before-install",
        afterInstall: "echo after-install",
        beforeRemove: "echo before-remove",
        afterRemove: "echo after-remove",
      };
      const plain = parseDeb(await readFile((await build(`scripts-${init}`, { init, hooks })).path));
      const restarting = parseDeb(
        await readFile((await build(`scripts-${init}-r`, { init, restartOnUpgrade: true })).path),
      );
      for (const name of ["./preinst", "./postinst", "./prerm", "./postrm"]) {
        const text = plain.file(plain.control, name);
        expect(text.startsWith("#!/bin/sh\n")).toBe(true);
        expect(text).toContain("\nset -e\n");
        expect(attempt("sh", ["-n", "-c", text]).status, `${name} parses`).toBe(0);
      }
      expect(plain.file(plain.control, "./preinst")).toContain("echo before-install");
      expect(plain.file(plain.control, "./postinst")).toContain("echo after-install");
      expect(plain.file(plain.control, "./prerm")).toContain("echo before-remove");
      expect(plain.file(plain.control, "./postrm")).toContain("echo after-remove");
      expect(plain.file(plain.control, "./postinst")).toContain("\nRESTART=\n");
      expect(restarting.file(restarting.control, "./postinst")).toContain("\nRESTART=1\n");
      const wrapper = plain.file(plain.data, `./usr/bin/${NAME}`);
      expect(attempt("bash", ["-n", "-c", wrapper]).status).toBe(0);
    });
  }

  it("stops with E_ABORTED and leaves no temp files when the signal fires", async () => {
    const controller = new AbortController();
    const pending = build("aborted", {
      signal: controller.signal,
      onEvent: (event) => {
        if (event.type === "step:start" && event.step === "deb:data") controller.abort();
      },
    });
    expect(isDeployKitError(await pending.catch((e) => e), "E_ABORTED")).toBe(true);
    const { readdir } = await import("node:fs/promises");
    expect(await readdir(join(work, "aborted"))).toEqual([]);
  });
});
