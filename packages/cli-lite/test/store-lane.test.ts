import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { packRelease } from "../../../test-support/release";
import { makeArtifact } from "./support/artifact";
import { CLI, cleanEnv, deploykit, jsonLines, tempDir } from "./support/cli";

// An ops engineer's walk through publish, promote and prune from a clean clone, with the store
// named in a directory with a space ("store dir") and in the config file.

let dir: string;
let cleanup: () => Promise<void>;
const store = ["--store", "store dir"];
const dk = (args: string[]) => deploykit(args, { cwd: dir });

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
  for (const v of ["1.0.0", "2.0.0", "3.0.0", "4.0.0"]) {
    const run = await dk(["publish", await makeArtifact(dir, "hello", v), ...store]);
    expect(run.exitCode, run.stderr).toBe(0);
  }
});
afterAll(() => cleanup());

const published = async () => (await readdir(join(dir, "store dir", "apps", "hello", "releases"))).sort();

describe("publish --manifest of another build", () => {
  it("is E_CHECKSUM_MISMATCH, not 'already published (unchanged)', and writes nothing", async () => {
    const v2 = join(dir, "hello-2.0.0.tgz");
    const run = await dk([
      "publish",
      v2,
      "--manifest",
      `${join(dir, "hello-1.0.0.tgz")}.manifest.json`,
      ...store,
    ]);
    expect(run.stdout).not.toContain("unchanged");
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain("E_CHECKSUM_MISMATCH");
    expect(await published()).toEqual(["1.0.0", "2.0.0", "3.0.0", "4.0.0"]);
  });
});

describe("promote --sign-key of a channel already at the version", () => {
  it("signs it, so installs with --trusted-keys take it; promoting unsigned over a signed pointer warns", async () => {
    const keys = await dk(["keys", "generate", "--secret-key", "keys/build.key"]);
    expect(keys.exitCode, keys.stderr).toBe(0);
    const publicKey = keys.stdout.trim().split("\n").at(-1) as string;
    // The release is signed (a re-publish with the key adds its signature).
    const sign = await dk([
      "publish",
      join(dir, "hello-2.0.0.tgz"),
      ...store,
      "--sign-key",
      "keys/build.key",
    ]);
    expect(sign.exitCode, sign.stderr).toBe(0);
    const promote = ["promote", "2.0.0", "--channel", "production", "--app", "hello", ...store];
    const first = await dk([...promote, "--json"]);
    expect(first.exitCode).toBe(0);
    expect(jsonLines(first.stdout).some((e) => e.type === "warning")).toBe(true);
    const signed = await dk([...promote, "--sign-key", "keys/build.key"]);
    expect(signed.exitCode, signed.stderr).toBe(0);
    expect(signed.stdout).not.toContain("unchanged");
    expect(signed.stdout).toContain("signed with key");
    const install = [
      "install",
      "--channel",
      "production",
      "--app",
      "hello",
      ...store,
      "--trusted-keys",
      publicKey,
    ];
    const installed = await dk([...install, "--root", "host"]);
    expect(installed.exitCode, installed.stderr).toBe(0);

    const again = await dk([...promote, "--sign-key", "keys/build.key"]);
    expect(again.stdout).toContain("unchanged");
    const unsigned = await dk([
      "promote",
      "3.0.0",
      "--channel",
      "production",
      "--app",
      "hello",
      ...store,
      "--json",
    ]);
    expect(unsigned.exitCode).toBe(0);
    expect(jsonLines(unsigned.stdout).some((e) => e.type === "warning")).toBe(true);
  });
});

describe("prune with the store and app in the config file", () => {
  it("prunes the host root only; the shared store is pruned only when asked (--keep-versions / --store)", async () => {
    const root = ["--root", "pruned-host", "--app", "hello", ...store];
    for (const v of ["1.0.0", "2.0.0"])
      expect((await dk(["install", "--version", v, ...root])).exitCode).toBe(0);
    await writeFile(
      join(dir, "deploykit.config.json"),
      JSON.stringify({ store: "store dir", app: "hello", root: "pruned-host" }),
    );
    const hostOnly = await dk(["prune", "--keep", "1", "--dry-run"]);
    expect(hostOnly.exitCode, hostOnly.stderr).toBe(0);
    expect(hostOnly.stdout).not.toMatch(/Would remove from file:/);
    expect(hostOnly.stdout).toContain("left alone");
    const pruned = await dk(["prune", "--keep", "1", "--json"]);
    expect(pruned.exitCode, pruned.stderr).toBe(0);
    const { result: done } = jsonLines(pruned.stdout).at(-1) as { result: Record<string, unknown> };
    expect(done).toHaveProperty("host");
    expect(done).not.toHaveProperty("store");
    expect(await published()).toEqual(["1.0.0", "2.0.0", "3.0.0", "4.0.0"]);

    // Asked on the command line: the configured store's old versions (never a channel's target).
    const asked = await dk(["prune", "--keep-versions", "1", "--dry-run", "--json"]);
    expect(asked.exitCode, asked.stderr).toBe(0);
    const { result } = jsonLines(asked.stdout).at(-1) as { result: { store?: { versions: string[] } } };
    expect(result.store?.versions).toContain("1.0.0");
    expect(await published()).toEqual(["1.0.0", "2.0.0", "3.0.0", "4.0.0"]);
  });
});

describe("Ctrl-C during a publish to a directory store", () => {
  it("is E_ABORTED, exit 130, and leaves no releases/<version>/ behind", async () => {
    // Random bytes do not compress: a 64 MB artifact, so the upload is still running at Ctrl-C.
    const tree = join(dir, "big-tree");
    await mkdir(tree, { recursive: true });
    await writeFile(join(tree, "blob.bin"), randomBytes(64 * 1024 * 1024));
    const { path, manifest } = await packRelease({ tree, dir, app: "hello", version: "9.0.0" });
    await writeFile(`${path}.manifest.json`, JSON.stringify(manifest));
    const run = execa("node", [CLI, "publish", path, ...store, "--json"], {
      cwd: dir,
      env: cleanEnv(),
      extendEnv: false,
      reject: false,
    });
    let sent = false;
    let pending = "";
    run.stdout?.on("data", (chunk: Buffer) => {
      pending += chunk;
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) {
        const event = JSON.parse(line) as { type?: string; step?: string };
        if (!sent && event.type === "progress" && event.step === "upload") {
          sent = true;
          run.kill("SIGINT");
        }
      }
    });
    const result = await run;
    expect(sent).toBe(true);
    expect(result.exitCode).toBe(130);
    expect(jsonLines(String(result.stdout)).at(-1)).toMatchObject({ type: "error", code: "E_ABORTED" });
    expect(existsSync(join(dir, "store dir", "apps", "hello", "releases", "9.0.0"))).toBe(false);
  });
});
