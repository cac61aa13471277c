import { mkdir, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeArtifact } from "./support/artifact";
import { jsonLines, tempDir } from "./support/cli";

const REPO = fileURLToPath(new URL("../../..", import.meta.url));
const PACKAGES = ["core", "pkgr", "runtimes", "fleet", "cli-lite"];

/**
 * What a user gets from the registry: `npm pack` of each package, installed into a fresh
 * project that has no AWS SDK (an optional peer dependency of core and the CLI).
 */
describe("the packed packages in a fresh project without the AWS SDK", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let project: string;
  let artifact: string;
  const node = (args: string[]) => execa("node", args, { cwd: project, reject: false });

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir());
    const packed = join(dir, "packed");
    await mkdir(packed);
    for (const name of PACKAGES) {
      await execa("npm", ["pack", "--pack-destination", packed, "--silent"], {
        cwd: join(REPO, "packages", name),
      });
    }
    project = join(dir, "project");
    await mkdir(project);
    await writeFile(join(project, "package.json"), JSON.stringify({ name: "fresh", private: true }));
    const tarballs = (await readdir(packed)).map((file) => join(packed, file));
    await execa("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", ...tarballs], {
      cwd: project,
    });
    artifact = await makeArtifact(dir, "hello", "1.0.0");
  }, 300_000);
  afterAll(() => cleanup());

  it("installs no AWS SDK", async () => {
    await expect(readdir(join(project, "node_modules", "@aws-sdk"))).rejects.toThrow();
  });

  it("the filesystem flow works from ESM and from CJS", async () => {
    const flow = (lib: string, n: number) => `
      const store = createFsStore({ dir: ${JSON.stringify(join(dir, `store-${n}`))} });
      const manifest = JSON.parse(readFileSync(${JSON.stringify(`${artifact}.manifest.json`)}, "utf8"));
      await publish({ path: ${JSON.stringify(artifact)}, manifest }, { store, channel: "production" });
      const done = await install({ store, app: "hello", channel: "production", root: ${JSON.stringify(join(dir, `host-${n}`))} });
      console.log(${JSON.stringify(lib)}, done.release.version);`;
    const esm = await node([
      "--input-type=module",
      "-e",
      `import { readFileSync } from "node:fs"; import { createFsStore, publish, install } from "@deploykit/core";${flow("esm", 1)}`,
    ]);
    expect(esm.stdout, esm.stderr).toBe("esm 1.0.0");
    const cjs = await node([
      "-e",
      `const { readFileSync } = require("node:fs"); const { createFsStore, publish, install } = require("@deploykit/core");
       (async () => {${flow("cjs", 2)}})().catch((e) => { console.error(e); process.exit(1); });`,
    ]);
    expect(cjs.stdout, cjs.stderr).toBe("cjs 1.0.0");
  });

  it("an error from the CJS build is a DeployKitError to the ESM build (Symbol.for brand)", async () => {
    const run = await node([
      "--input-type=module",
      "-e",
      `import { createRequire } from "node:module"; import { isDeployKitError, assertVersion } from "@deploykit/core";
       const cjs = createRequire(import.meta.url)("@deploykit/core");
       try { cjs.assertVersion("v2") } catch (e) { console.log(isDeployKitError(e, "E_INVALID_VERSION"), e instanceof Error) }`,
    ]);
    expect(run.stdout, run.stderr).toBe("true true");
  });

  it("s3:// and @deploykit/core/s3 without the SDK: E_DEPENDENCY_MISSING with the install command", async () => {
    const cli = await execa(
      join(project, "node_modules", ".bin", "deploykit"),
      ["releases", "--store", "s3://bucket/prefix", "--app", "hello", "--json"],
      { cwd: project, reject: false },
    );
    expect(cli.exitCode).toBe(1);
    expect(jsonLines(cli.stdout).at(-1)).toMatchObject({
      type: "error",
      code: "E_DEPENDENCY_MISSING",
      hint: expect.stringContaining("npm install @aws-sdk/client-s3 @aws-sdk/lib-storage"),
    });
    const esm = await node([
      "--input-type=module",
      "-e",
      `import("@deploykit/core/s3").catch((e) => console.log(e.code))`,
    ]);
    expect(esm.stdout, esm.stderr).toBe("E_DEPENDENCY_MISSING");
    const cjs = await node(["-e", `try { require("@deploykit/core/s3") } catch (e) { console.log(e.code) }`]);
    expect(cjs.stdout, cjs.stderr).toBe("E_DEPENDENCY_MISSING");
  });
});
