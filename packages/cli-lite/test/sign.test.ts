import { chmod, mkdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeArtifact } from "./support/artifact";
import { cleanEnv, deploykit, jsonLines, tempDir } from "./support/cli";

describe("keys generate → publish --sign-key → install --trusted-keys", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let publicKey: string;
  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir());
  });
  afterAll(() => cleanup());

  it("keys generate writes a 0600 secret key and prints the public key; it never overwrites", async () => {
    const run = await deploykit(
      ["keys", "generate", "--secret-key", "build.key", "--public-key", "build.pub"],
      {
        cwd: dir,
      },
    );
    expect(run.exitCode, run.stderr).toBe(0);
    publicKey = run.stdout.trim().split("\n").at(-1) as string;
    expect(publicKey).toMatch(/^RW[A-Za-z0-9+/]{54}$/);
    expect((await stat(join(dir, "build.key"))).mode & 0o777).toBe(0o600);
    expect(await readFile(join(dir, "build.pub"), "utf8")).toContain(publicKey);
    // A directory that does not exist yet is created, private.
    const nested = await deploykit(["keys", "generate", "--secret-key", "keys/ci/build.key"], { cwd: dir });
    expect(nested.exitCode, nested.stderr).toBe(0);
    expect((await stat(join(dir, "keys", "ci"))).mode & 0o777).toBe(0o700);
    const again = await deploykit(["keys", "generate", "--secret-key", "build.key", "--json"], { cwd: dir });
    expect(again.exitCode).toBe(2);
    expect(jsonLines(again.stdout).at(-1)).toMatchObject({ type: "error", code: "E_INVALID_INPUT" });
  });

  it("a signed release installs with --trusted-keys; an unsigned one is refused with E_SIGNATURE and exit 1", async () => {
    const store = join(dir, "store");
    const signed = await makeArtifact(dir, "hello", "1.0.0");
    const unsigned = await makeArtifact(dir, "hello", "1.1.0");
    const env = cleanEnv({ DEPLOYKIT_SIGN_KEY: join(dir, "build.key") });
    const published = await deploykit(["publish", signed, "--store", store, "--channel", "production"], {
      env,
    });
    expect(published.exitCode, published.stderr).toBe(0);
    expect(published.stdout).toContain("Signed with key");
    expect((await deploykit(["publish", unsigned, "--store", store])).exitCode).toBe(0);

    const root = join(dir, "host");
    const trust = ["--store", store, "--app", "hello", "--root", root, "--trusted-keys", publicKey];
    const ok = await deploykit(["install", "--channel", "production", ...trust]);
    expect(ok.exitCode, ok.stderr).toBe(0);
    const refused = await deploykit(["install", "--version", "1.1.0", ...trust, "--json"]);
    expect(refused.exitCode).toBe(1);
    expect(jsonLines(refused.stdout).at(-1)).toMatchObject({ type: "error", code: "E_SIGNATURE" });
    // A .pub file works as a trusted key too; --no-require-signature lets unsigned releases in.
    const byFile = [
      "--store",
      store,
      "--app",
      "hello",
      "--root",
      root,
      "--trusted-keys",
      join(dir, "build.pub"),
    ];
    const optional = await deploykit(["install", "--version", "1.1.0", ...byFile, "--no-require-signature"]);
    expect(optional.exitCode, optional.stderr).toBe(0);
  });

  it("vendor --sign-key stores <tarball>.minisig next to the tarball, verifiable with minisign", async () => {
    await mkdir(join(dir, "ruby-2.2.4", "bin"), { recursive: true });
    await writeFile(join(dir, "ruby-2.2.4", "bin", "ruby"), "#!/bin/sh\necho 2.2.4\n");
    await chmod(join(dir, "ruby-2.2.4", "bin", "ruby"), 0o755);
    const vendor = [
      "vendor",
      "ruby",
      "2.2.4",
      "--from",
      "ruby-2.2.4",
      "--store",
      "rubies",
      "--sign-key",
      "build.key",
    ];
    const run = await deploykit(vendor, { cwd: dir });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toContain("Signed: ruby-2.2.4.tgz.minisig");
    await execa("minisign", ["-Vm", join(dir, "rubies", "ruby-2.2.4.tgz"), "-P", publicKey]);
  });

  it("config files take the documented signing keys (secretKey, publicKey, signKey, trustedKeys, requireSignature)", async () => {
    const cfg = async (name: string, values: Record<string, unknown>) => {
      await writeFile(join(dir, name), JSON.stringify({ store: "cfg-store", app: "hello", ...values }));
      return ["--config", name];
    };
    const keys = await deploykit(
      ["keys", "generate", ...(await cfg("keys.json", { secretKey: "cfg.key", publicKey: "cfg.pub" }))],
      { cwd: dir },
    );
    expect(keys.exitCode, keys.stderr).toBe(0);
    const cfgPublicKey = keys.stdout.trim().split("\n").at(-1) as string;
    expect(await readFile(join(dir, "cfg.pub"), "utf8")).toContain(cfgPublicKey);
    const artifact = await makeArtifact(dir, "hello", "3.0.0");
    const published = await deploykit(
      ["publish", artifact, ...(await cfg("pub.json", { signKey: "cfg.key" }))],
      {
        cwd: dir,
      },
    );
    expect(published.exitCode, published.stderr).toBe(0);
    expect(published.stdout).toContain("Signed with key");
    const trusted = await cfg("tk.json", {
      trustedKeys: [cfgPublicKey],
      requireSignature: true,
      root: "cfg-host",
    });
    const installed = await deploykit(["install", ...trusted, "--version", "3.0.0"], { cwd: dir });
    expect(installed.exitCode, installed.stderr).toBe(0);
  });

  it("re-publishing with a new key replaces the signature and says so; install trusting only the new key works", async () => {
    const store = join(dir, "rotate-store");
    const artifact = await makeArtifact(dir, "hello", "4.0.0");
    const oldKey = await deploykit(["keys", "generate", "--secret-key", "old.key"], { cwd: dir });
    const newKey = await deploykit(["keys", "generate", "--secret-key", "new.key"], { cwd: dir });
    const publicKeyOf = (run: { stdout: string }) => run.stdout.trim().split("\n").at(-1) as string;
    const [oldPub, newPub] = [publicKeyOf(oldKey), publicKeyOf(newKey)];
    const idOf = (run: { stdout: string }) => /Secret key ([0-9A-F]{16})/.exec(run.stdout)?.[1] as string;
    expect(
      (await deploykit(["publish", artifact, "--store", store, "--sign-key", "old.key"], { cwd: dir }))
        .exitCode,
    ).toBe(0);
    const rotated = await deploykit(["publish", artifact, "--store", store, "--sign-key", "new.key"], {
      cwd: dir,
    });
    expect(rotated.exitCode, rotated.stderr).toBe(0);
    expect(rotated.stdout).toContain(
      `Signed with key ${idOf(newKey)} (replaced the signature by key ${idOf(oldKey)}).`,
    );
    const install = (key: string, root: string) =>
      deploykit(
        [
          "install",
          "--store",
          store,
          "--app",
          "hello",
          "--version",
          "4.0.0",
          "--root",
          root,
          "--trusted-keys",
          key,
          "--json",
        ],
        {
          cwd: dir,
        },
      );
    const ok = await install(newPub, "rotate-new");
    expect(ok.exitCode, ok.stdout).toBe(0);
    const refused = await install(oldPub, "rotate-old");
    expect(refused.exitCode).toBe(1);
    expect(jsonLines(refused.stdout).at(-1)).toMatchObject({ type: "error", code: "E_SIGNATURE" });
  });
});
