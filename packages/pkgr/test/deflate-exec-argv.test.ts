import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The deflate threads' program ran as `eval` source, which Node reads the way the process reads
// its own `-e` code: a user's build script run as `node --input-type=module -e "import ..."` (or
// with --input-type=module in NODE_OPTIONS) made it an ES module without `require`, and every
// build of more than one 1 MiB block failed. This runs such builds through the built package.
const SCRIPT = `
import { buildPackage } from "@deploykit/pkgr";
const [appDir, outDir] = process.argv.slice(-2);
const built = await buildPackage({ name: "argv", appDir, outDir, version: "1.0.0" });
console.log(built.path);
`;

let dir: string;
let appDir: string;
let reference: { path: string; sha256: string };

const sha256 = async (path: string) =>
  createHash("sha256")
    .update(await readFile(path))
    .digest("hex");

/** Builds the app with `node <args>` and returns the artifact after `gzip -t` checked it. */
async function build(name: string, args: string[], env: Record<string, string> = {}) {
  const run = await execa(process.execPath, [...args, appDir, join(dir, name)], {
    cwd: dir,
    env,
    reject: false,
  });
  expect(run.exitCode, run.stderr).toBe(0);
  const path = run.stdout.trim();
  expect((await execa("gzip", ["-t", path], { reject: false })).exitCode).toBe(0);
  return { path, sha256: await sha256(path) };
}

beforeAll(async () => {
  // Next to the package, so "@deploykit/pkgr" resolves to its built dist, as in a user's project.
  dir = await mkdtemp(join(new URL("../", import.meta.url).pathname, ".exec-argv-"));
  appDir = join(dir, "app");
  await mkdir(join(appDir, "lib"), { recursive: true });
  // Over 3 MiB: four blocks, so the build starts its deflate threads.
  const lines = Array.from({ length: 60_000 }, (_, i) => `line ${i} ${(i * 7919) % 104_729}\n`).join("");
  await writeFile(join(appDir, "lib", "data.txt"), lines.repeat(3));
  await writeFile(join(dir, "build.mjs"), SCRIPT);
  reference = await build("plain", [join(dir, "build.mjs")]);
}, 120_000);
afterAll(() => (dir ? rm(dir, { recursive: true, force: true }) : undefined));

describe("the deflate threads start whatever flags the build's process has", () => {
  it.each([
    ["node --input-type=module -e", "flag", ["--input-type=module", "-e", SCRIPT], {}],
    [
      "NODE_OPTIONS=--input-type=module node -e",
      "env",
      ["-e", SCRIPT],
      { NODE_OPTIONS: "--input-type=module" },
    ],
    [
      "node --expose-gc --input-type=module -e",
      "gc",
      ["--expose-gc", "--input-type=module", "-e", SCRIPT],
      {},
    ],
  ])("%s builds the same bytes as a plain build", async (_command, out, args, env) => {
    const built = await build(out, args, env);
    expect(built.sha256).toBe(reference.sha256);
  });
});
