// buildPackage({ format: "deb" }) goes through the .deb writer: pkgr's metadata options land in
// the package, ignored paths stay out, and the manifest describes the .deb.
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { buildPackage } from "@deploykit/pkgr";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeApp, makeTempDir, removeDir } from "./fixtures/deb-support/app";
import { parseDeb } from "./fixtures/deb-support/reader";
import { requireTools, run } from "./fixtures/deb-support/tools";

let work: string;
let app: string;

beforeAll(async () => {
  requireTools("dpkg-deb");
  work = await makeTempDir("deb-build-");
  app = await makeApp(join(work, "shop"), "3.1.0");
  await writeFile(join(app, "Procfile"), "web: bin/web\nworker: bin/worker\nclock: bin/worker --clock\n");
  await writeFile(join(app, ".pkgrignore"), "secret-notes.txt\n");
  await writeFile(join(app, "secret-notes.txt"), "not for the package\n");
  await writeFile(join(app, "hooks-after-install.sh"), "echo after-install-hook-ran\n");
});
afterAll(() => removeDir(work));

describe("buildPackage({ format: 'deb' })", () => {
  it("writes a .deb with upstart jobs for every Procfile process and a manifest describing it", async () => {
    const pkg = await buildPackage({
      appDir: app,
      name: "shop",
      version: "3.1.0",
      iteration: "20240102030405",
      format: "deb",
      outDir: join(work, "out"),
      user: "www-data",
      group: "www-data",
      runner: "upstart-1.5",
      forceOs: "ubuntu-12.04",
      maintainer: "Ops Team <ops@example.com>",
      dependencies: ["libpq5"],
      category: "web",
      afterInstall: "hooks-after-install.sh",
      readPkgrYml: false,
    });
    expect(pkg.manifest.format).toBe("deb");
    expect(pkg.manifest.version).toBe("3.1.0-20240102030405");
    expect(pkg.manifest.artifact.file).toBe("shop_3.1.0-20240102030405_amd64.deb");
    expect(pkg.manifest.processes).toEqual({
      web: "bin/web",
      worker: "bin/worker",
      clock: "bin/worker --clock",
    });
    const bytes = await readFile(pkg.path);
    expect(bytes.length).toBe(pkg.manifest.artifact.size);
    const { createHash } = await import("node:crypto");
    expect(createHash("sha256").update(bytes).digest("hex")).toBe(pkg.manifest.artifact.sha256);
    expect(run("dpkg-deb", ["--field", pkg.path, "Version"]).trim()).toBe(pkg.manifest.version);
    expect(run("dpkg-deb", ["--field", pkg.path, "Depends"]).trim()).toBe("libpq5");
    const deb = parseDeb(bytes);
    const names = deb.data.map((i) => i.name);
    for (const process of ["web", "worker", "clock"])
      expect(names).toContain(`./etc/init/shop-${process}.conf`);
    expect(names).toContain("./opt/shop/Procfile");
    expect(names).not.toContain("./opt/shop/secret-notes.txt");
    const postinst = deb.file(deb.control, "./postinst");
    expect(postinst).toContain("APP_USER='www-data'");
    expect(postinst).toContain("echo after-install-hook-ran");
  });
});

describe("pkgr's command line picks the .deb's target and compression", () => {
  it("--target ubuntu-12.04 --compression zstd is refused before anything is written; xz builds", async () => {
    const { parsePkgrArgs } = await import("@deploykit/pkgr");
    const { isDeployKitError } = await import("@deploykit/core");
    const { readdir } = await import("node:fs/promises");
    const outDir = join(work, "out-target");
    const words = ["--name=shop", "--version=3.1.0", "--iteration=1", "--format=deb", `--out-dir=${outDir}`];
    const zstd = parsePkgrArgs([...words, "--target", "ubuntu-12.04", "--compression", "zstd", app]);
    expect(zstd).toMatchObject({ forceOs: "ubuntu-12.04", compression: "zstd" });
    const error = await buildPackage({ ...zstd, readPkgrYml: false }).catch((e: unknown) => e);
    expect(isDeployKitError(error)).toBe(true);
    expect(String((error as Error).message)).toMatch(/zstd/);
    expect(await readdir(outDir).catch(() => [])).toEqual([]);

    const xz = parsePkgrArgs([...words, "--target", "ubuntu-12.04", "--compression", "xz", app]);
    const pkg = await buildPackage({ ...xz, readPkgrYml: false });
    expect(parseDeb(await readFile(pkg.path)).members.map((m) => m.name)).toEqual([
      "debian-binary",
      "control.tar.gz",
      "data.tar.xz",
    ]);
  });
});
