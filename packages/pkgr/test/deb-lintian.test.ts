// lintian on packages for every init system: zero errors and zero warnings, with the /opt
// override (and, for upstart targets, the deprecated-upstart one) shipped and used.
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildPackage, writeDeb } from "@deploykit/pkgr";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeApp, makeTempDir, removeDir } from "./fixtures/deb-support/app";
import { attempt, lintianProblems, requireTools } from "./fixtures/deb-support/tools";

let work: string;
let app: string;

beforeAll(async () => {
  requireTools("lintian");
  work = await makeTempDir("deb-lintian-");
  app = await makeApp(join(work, "app"), "1.0.0");
});
afterAll(() => removeDir(work));

const variants = [
  {
    label: "systemd (debian-12)",
    options: { target: "debian-12" as const },
    overrides: ["dir-or-file-in-opt"],
  },
  {
    label: "upstart (ubuntu-12.04)",
    options: { target: "ubuntu-12.04" as const },
    overrides: ["dir-or-file-in-opt", "package-installs-deprecated-upstart-configuration"],
  },
  {
    label: "sysv + systemd units, xz data",
    options: { init: "sysv" as const, compression: "xz" as const },
    overrides: ["dir-or-file-in-opt"],
  },
  {
    label: "home in /usr/lib, no processes",
    options: { home: "/usr/lib/dk-lint", processes: {} },
    overrides: [],
  },
];

describe("lintian", () => {
  for (const variant of variants) {
    it(`finds no errors or warnings: ${variant.label}`, { timeout: 120_000 }, async () => {
      const deb = await writeDeb({
        appDir: app,
        outDir: join(work, variant.label.replace(/\W+/g, "-")),
        name: "dk-lint",
        version: "1.0.0",
        iteration: "20240101120000",
        maintainer: "Ops Team <ops@example.com>",
        homepage: "https://example.com/dk-lint",
        processes: { web: "bin/web", worker: "bin/worker" },
        ...variant.options,
      });
      expect(lintianProblems(deb.path)).toEqual([]);
      const { output } = attempt("lintian", ["--no-cfg", "--show-overrides", deb.path]);
      const used = [...output.matchAll(/^O: dk-lint: (\S+)/gm)].map((m) => m[1]);
      expect([...new Set(used)].sort()).toEqual([...variant.overrides].sort());
    });
  }
});

describe("lintian on the examples", () => {
  const example = fileURLToPath(new URL("../../../examples/hello-node", import.meta.url));
  for (const forceOs of ["debian-12", "ubuntu-12.04"]) {
    it(`finds no errors or warnings in examples/hello-node built for ${forceOs}`, {
      timeout: 120_000,
    }, async () => {
      const pkg = await buildPackage({
        appDir: example,
        format: "deb",
        outDir: join(work, `example-${forceOs}`),
        version: "1.0.0",
        iteration: "20240101120000",
        forceOs,
        readPkgrYml: false,
      });
      expect(pkg.manifest.processes).toHaveProperty("web");
      expect(lintianProblems(pkg.path)).toEqual([]);
    });
  }
});
