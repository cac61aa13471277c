import { cp, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createFsStore, type DeployEvent, isDeployKitError } from "@deploykit/core";
import { vendorRuntime } from "@deploykit/pkgr";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  download,
  fixture,
  removeTempDirs,
  storeKeys,
  tarUp,
  tempDir,
  tgzMembers,
} from "./fixtures/vendor-support/helpers";

let sourceTarball: string;

beforeAll(async () => {
  const work = await tempDir("vendor-build");
  await cp(fixture("vendor-libyaml-src"), join(work, "yaml-0.1.6"), { recursive: true });
  sourceTarball = await tarUp(work, "yaml-0.1.6", join(work, "yaml-0.1.6.tar.gz"));
});
afterAll(removeTempDirs);

describe("vendorRuntime building libyaml from source", () => {
  it("runs configure --prefix, make, make install with real make and cc, streaming the output", async () => {
    const dir = await tempDir("vendor-store");
    const store = createFsStore({ dir });
    const events: DeployEvent[] = [];
    const result = await vendorRuntime({
      kind: "libyaml",
      version: "0.1.6",
      build: sourceTarball,
      stack: "cedar-14",
      store,
      onEvent: (e) => events.push(e),
    });

    expect(result.key).toBe("libyaml-0.1.6.tgz");
    expect(await storeKeys(store)).toEqual(["libyaml-0.1.6.tgz"]);
    const tgz = await download(store, result.key, join(dir, "..", "libyaml.tgz"));
    expect(await tgzMembers(tgz)).toEqual([
      "./",
      "./include/",
      "./include/yaml.h",
      "./lib/",
      "./lib/libyaml.a",
      "./lib/libyaml.so",
    ]);
    const logs = events.flatMap((e) => (e.type === "log" && e.step === "build" ? [e.line] : []));
    expect(logs).toContain("checking for a C compiler... cc");
    expect(logs.some((line) => line.includes("-c src/api.c"))).toBe(true);
    expect(logs.some((line) => line.startsWith("cp libyaml.a libyaml.so"))).toBe(true);

    // The vendored library is real: link a program against it and run it.
    const app = await tempDir("vendor-link");
    await execa("tar", ["-xzf", tgz, "-C", app]);
    await writeFile(
      join(app, "main.c"),
      '#include <stdio.h>\n#include "yaml.h"\nint main(void) { puts(yaml_get_version_string()); return 0; }\n',
    );
    await execa("cc", ["main.c", "-Iinclude", "-Llib", "-lyaml", "-o", "main"], { cwd: app });
    const { stdout } = await execa(join(app, "main"), { env: { LD_LIBRARY_PATH: join(app, "lib") } });
    expect(stdout).toBe("0.1.6");
  });

  it("passes configureArgs through and builds from a source directory", async () => {
    const store = createFsStore({ dir: await tempDir("vendor-store") });
    const result = await vendorRuntime({
      kind: "libyaml",
      version: "0.1.6",
      build: fixture("vendor-libyaml-src"),
      configureArgs: ["--disable-shared"],
      store,
    });
    const tgz = await download(store, result.key, join(await tempDir("vendor-dl"), "l.tgz"));
    expect(await tgzMembers(tgz)).toContain("./lib/libyaml.a");
    expect(await tgzMembers(tgz)).not.toContain("./lib/libyaml.so");
    expect(await readFile(join(fixture("vendor-libyaml-src"), "Makefile")).catch(() => "absent")).toBe(
      "absent",
    );
  });

  it("reports a failing make as E_COMMAND_FAILED with the compiler's output, and uploads nothing", async () => {
    const work = await tempDir("vendor-broken");
    await cp(fixture("vendor-libyaml-src"), join(work, "yaml-0.1.6"), { recursive: true });
    await writeFile(join(work, "yaml-0.1.6", "src", "api.c"), "this is not C;\n");
    const broken = await tarUp(work, "yaml-0.1.6", join(work, "yaml-0.1.6.tar.xz"));
    const store = createFsStore({ dir: await tempDir("vendor-store") });
    const events: DeployEvent[] = [];

    const error = await vendorRuntime({
      kind: "libyaml",
      version: "0.1.6",
      build: broken,
      store,
      onEvent: (e) => events.push(e),
    }).catch((e: unknown) => e);

    expect(isDeployKitError(error, "E_COMMAND_FAILED")).toBe(true);
    expect((error as Error).message).toContain("yaml-0.1.6.tar.xz");
    expect((error as Error).message).toMatch(/make exited with 2/);
    expect(events.some((e) => e.type === "log" && e.stream === "stderr" && e.line.includes("api.c"))).toBe(
      true,
    );
    expect(await storeKeys(store)).toEqual([]);
  });

  it("runs autoreconf -fi on a tree with configure.ac but no configure (a git export)", async () => {
    const work = await tempDir("vendor-autoreconf");
    const tree = join(work, "yaml-0.1.6");
    await cp(fixture("vendor-libyaml-src"), tree, { recursive: true });
    await execa("rm", [join(tree, "configure")]);
    await writeFile(
      join(tree, "configure.ac"),
      [
        "AC_INIT([libyaml], [0.1.6])",
        "AC_PROG_CC",
        "AC_ARG_ENABLE([shared], [AS_HELP_STRING([--disable-shared], [no libyaml.so])], [shared=$enableval], [shared=yes])",
        "AC_SUBST([shared])",
        "AC_CONFIG_FILES([Makefile])",
        "AC_OUTPUT",
        "",
      ].join("\n"),
    );
    const store = createFsStore({ dir: await tempDir("vendor-store") });
    const events: DeployEvent[] = [];
    const result = await vendorRuntime({
      kind: "libyaml",
      version: "0.1.6",
      build: await tarUp(work, "yaml-0.1.6", join(work, "yaml-0.1.6.tar.gz")),
      store,
      onEvent: (e) => events.push(e),
    });
    const tgz = await download(store, result.key, join(work, "libyaml.tgz"));
    expect(await tgzMembers(tgz)).toEqual(expect.arrayContaining(["./lib/libyaml.a", "./include/yaml.h"]));
    const logs = events.flatMap((e) => (e.type === "log" && e.step === "build" ? [e.line] : []));
    expect(
      logs.some((line) => line.startsWith("checking for gcc") || line.startsWith("checking for cc")),
    ).toBe(true);
  });

  it("refuses a tree without a configure script", async () => {
    const work = await tempDir("vendor-noconf");
    await cp(fixture("vendor-libyaml-src"), join(work, "src"), { recursive: true });
    await execa("rm", [join(work, "src", "configure")]);
    const store = createFsStore({ dir: await tempDir("vendor-store") });
    const error = await vendorRuntime({
      kind: "libyaml",
      version: "0.1.6",
      build: join(work, "src"),
      store,
    }).catch((e: unknown) => e);
    expect(isDeployKitError(error, "E_VENDOR_INVALID")).toBe(true);
    expect(await storeKeys(store)).toEqual([]);
  });

  it("stops on abort mid-build with E_ABORTED, uploads nothing and removes its scratch directory", async () => {
    const store = createFsStore({ dir: await tempDir("vendor-store") });
    const scratchParent = await tempDir("vendor-scratch");
    const controller = new AbortController();
    const error = await vendorRuntime({
      kind: "libyaml",
      version: "0.1.6",
      build: sourceTarball,
      store,
      tmpDir: scratchParent,
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === "log" && e.step === "build") controller.abort();
      },
    }).catch((e: unknown) => e);

    expect(isDeployKitError(error, "E_ABORTED")).toBe(true);
    expect(await storeKeys(store)).toEqual([]);
    expect(await readdir(scratchParent)).toEqual([]);
  });
});
