// The whole .deb path through the public API: buildPackage({ format: "deb" }) -> publish to a
// filesystem store -> install() v1 and v2 with the real dpkg -> rollback() reinstalls v1 from
// the host cache. Unique package name, purged in afterAll even on failure.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createFsStore, install, publish, rollback } from "@deploykit/core";
import { buildPackage } from "@deploykit/pkgr";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeApp, makeTempDir, removeDir } from "./fixtures/deb-support/app";
import { attempt, dpkg, requireTools, run } from "./fixtures/deb-support/tools";

const NAME = `dk-rb-${process.pid}-${Date.now().toString(36)}`;
let work: string;

beforeAll(async () => {
  requireTools("dpkg", "dpkg-query");
  if (process.getuid?.() !== 0) throw new Error("the dpkg rollback test needs root (CI runs as root)");
  work = await makeTempDir("deb-rollback-");
  const store = createFsStore({ dir: join(work, "store") });
  for (const version of ["1.0.0", "2.0.0"]) {
    const app = await makeApp(join(work, `app-${version}`), version);
    await writeFile(join(app, "Procfile"), "web: bin/web\nworker: bin/worker\n");
    const pkg = await buildPackage({
      appDir: app,
      name: NAME,
      version,
      iteration: "20240101",
      format: "deb",
      outDir: join(work, "out"),
      readPkgrYml: false,
    });
    await publish(pkg, { store });
  }
});

afterAll(async () => {
  dpkg(["--purge", NAME]);
  attempt("userdel", [NAME]);
  attempt("groupdel", [NAME]);
  await removeDir(`/var/log/${NAME}`);
  await removeDir(work);
});

const installed = () => run("dpkg-query", ["-W", `-f=\${Version}`, NAME]);
const web = () => run(`/usr/bin/${NAME}`, ["run", "web"]).trim();

describe(".deb releases through install() and rollback()", () => {
  it("installs v1, upgrades to v2, rolls back to v1 from the cache", { timeout: 120_000 }, async () => {
    const store = createFsStore({ dir: join(work, "store") });
    const root = join(work, "host");
    const first = await install({ store, app: NAME, version: "1.0.0-20240101", root });
    expect(first.release.dir).toBe(`/opt/${NAME}`);
    expect(installed()).toBe("1.0.0-20240101");
    await install({ store, app: NAME, version: "2.0.0-20240101", root });
    expect(installed()).toBe("2.0.0-20240101");
    expect(web()).toContain("web 2.0.0 ");
    const back = await rollback({ root });
    expect(back.release.version).toBe("1.0.0-20240101");
    expect(installed()).toBe("1.0.0-20240101");
    expect(web()).toContain("web 1.0.0 ");
  });
});
