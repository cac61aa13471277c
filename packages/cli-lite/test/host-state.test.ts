import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, readlink, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeArtifact } from "./support/artifact";
import { deploykit, tempDir } from "./support/cli";

// The fresh-eyes tester's host-state findings, as they typed them: a root holds one app, a
// version's bytes never change, a deleted live release is not "unchanged", a command that fails
// on its input creates nothing, and a failed first deploy over --adopt-legacy goes back.
let dir: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
  for (const v of ["1.0.0", "2.0.0"]) {
    const artifact = await makeArtifact(join(dir, `hello-${v}`), "hello", v);
    expect((await deploykit(["publish", artifact, "--store", "store dir"], { cwd: dir })).exitCode).toBe(0);
    const rack = await makeArtifact(join(dir, `rack-${v}`), "rack", v);
    expect((await deploykit(["publish", rack, "--store", "rstore"], { cwd: dir })).exitCode).toBe(0);
  }
  const crash = await makeArtifact(join(dir, "hello-3.0.0"), "hello", "3.0.0", { crash: true });
  expect((await deploykit(["publish", crash, "--store", "store dir"], { cwd: dir })).exitCode).toBe(0);
  // hello 1.0.0 again with other bytes, in another store.
  const other = await makeArtifact(join(dir, "other-1.0.0"), "hello", "1.0.0", { crash: true });
  expect((await deploykit(["publish", other, "--store", "other"], { cwd: dir })).exitCode).toBe(0);
}, 120_000);
afterAll(() => cleanup());

/** A port free right now on loopback. */
const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });

const install = (store: string, app: string, version: string, root: string, ...more: string[]) =>
  deploykit(["install", "--store", store, "--app", app, "--version", version, "--root", root, ...more], {
    cwd: dir,
  });

describe("install refuses what does not belong in a root", () => {
  it("another app: E_HOST_STATE naming the app the root holds; other bytes of a live version: E_CHECKSUM_MISMATCH", async () => {
    expect((await install("store dir", "hello", "1.0.0", "one")).exitCode).toBe(0);
    const before = (await readdir(join(dir, "one"), { recursive: true })).sort();
    for (const version of ["1.0.0", "2.0.0"]) {
      const run = await install("rstore", "rack", version, "one");
      expect(run.exitCode).toBe(1);
      expect(run.stderr).toContain("holds app hello");
      expect(run.stderr).not.toContain("unchanged");
    }
    const other = await install("other", "hello", "1.0.0", "one");
    expect(other.exitCode).toBe(1);
    expect(other.stderr).toMatch(/sha256 [0-9a-f]{12}.*sha256 [0-9a-f]{12}/s);
    expect((await readdir(join(dir, "one"), { recursive: true })).sort()).toEqual(before);
    expect(await readFile(join(dir, "one", "current", "version.json"), "utf8")).toBe('"1.0.0"');
  });

  it("a deleted live release dir is unpacked again, not 'already live (unchanged)'", async () => {
    for (const v of ["1.0.0", "2.0.0"])
      expect((await install("store dir", "hello", v, "gone")).exitCode).toBe(0);
    await rm(join(dir, "gone", "releases", "2.0.0"), { recursive: true });
    const seen = await deploykit(["status", "--root", "gone"], { cwd: dir });
    expect(seen.stdout).toMatch(/MISSING: .*releases\/2\.0\.0/);
    const run = await install("store dir", "hello", "2.0.0", "gone");
    expect(run.exitCode).toBe(0);
    expect(`${run.stdout}${run.stderr}`).not.toContain("unchanged");
    expect(await readFile(join(dir, "gone", "current", "version.json"), "utf8")).toBe('"2.0.0"');
  });

  it("an unknown channel or version creates neither the root nor .deploykit", async () => {
    const channel = await deploykit(
      ["install", "--store", "store dir", "--app", "hello", "--channel", "stagign", "--root", "xx"],
      { cwd: dir },
    );
    expect(channel.exitCode).toBe(1);
    expect((await install("store dir", "hello", "9.9.9", "yy")).exitCode).toBe(1);
    expect(existsSync(join(dir, "xx"))).toBe(false);
    expect(existsSync(join(dir, "yy"))).toBe(false);
  });
});

describe("deploy --adopt-legacy", () => {
  it("a first release that crashes at boot switches current back to the adopted checkout", async () => {
    await mkdir(join(dir, "L", "current"), { recursive: true });
    await writeFile(join(dir, "L", "current", "index.html"), "legacy");
    const run = await deploykit(
      [
        "deploy",
        "--store",
        "store dir",
        "--app",
        "hello",
        "--version",
        "3.0.0",
        "--root",
        "L",
        "--adopt-legacy",
        "--strategy",
        "process",
        "--port",
        String(await freePort()),
      ],
      { cwd: dir },
    );
    expect(run.exitCode).toBe(1);
    expect(run.stderr).not.toContain("no earlier release to go back to");
    const legacy = (await readdir(join(dir, "L", "releases"))).find((n) => n.startsWith("legacy-"));
    expect(run.stderr).toContain(legacy);
    expect(await readlink(join(dir, "L", "current"))).toBe(join("releases", legacy as string));
    expect(await readFile(join(dir, "L", "current", "index.html"), "utf8")).toBe("legacy");
  }, 60_000);
});
