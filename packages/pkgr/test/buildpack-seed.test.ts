import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { type DeployEvent, isDeployKitError, sha256Hex } from "@deploykit/core";
import { buildPackage, parsePkgrArgs } from "@deploykit/pkgr";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedPackageArgv } from "../../../test-support/seed-command";
import { artifactContains, buildpackRepo, git, tempDirs, tgzEntries, tgzFile, writeTree } from "./helpers";

const temp = tempDirs();
const SECRET = "s3cr3t-rails-token-9f8e7d6c";
const DB_SECRET = "postgres://app:hunter2-db-pass@db.internal/app";
let repo: { dir: string; url: string };
let appDir: string;
let caches: string;

beforeAll(async () => {
  repo = await buildpackRepo(await temp.make("bp"), "secret");
  appDir = join(await temp.make("app"), "www");
  await writeTree(appDir, {
    Gemfile: "source 'https://rubygems.org'\ngem 'rails'\n",
    "config.ru": "run ->(env) { [200, {}, ['ok']] }\n",
    Procfile: "web: bundle exec unicorn -c config/unicorn.rb -p $PORT\nsidekiq: bundle exec sidekiq\n",
  });
  caches = await temp.make("caches");
  process.env.DEPLOYKIT_TEST_LEAK = "parent-env-must-not-leak";
});
afterAll(async () => {
  delete process.env.DEPLOYKIT_TEST_LEAK;
  await temp.cleanup();
});

/** The seed's pkgr command with real secrets and the buildpack URL replaced by a local git repo. */
const seedArgv = () =>
  seedPackageArgv(repo.url, appDir, { RAILS_SECRET_TOKEN: SECRET, DATABASE_URL: DB_SECRET });

describe("the seed's pkgr command line through buildPackage", () => {
  it("builds a .tgz with the compiled app, .profile.d and a manifest listing the processes; the secrets appear nowhere", async () => {
    const events: DeployEvent[] = [];
    const outDir = await temp.make("out");
    const options = parsePkgrArgs(seedArgv());
    const pkg = await buildPackage({
      ...options,
      outDir,
      compileCacheDir: join(caches, "compile"),
      buildpackCacheDir: join(caches, "buildpacks"),
      onEvent: (e) => events.push(e),
    });

    expect(pkg.manifest).toMatchObject({
      app: "apangea",
      version: `0.0.0-${options.iteration}`,
      format: "tgz",
      build: { buildpacks: [{ url: repo.url, commit: await git(repo.dir, "rev-parse", "HEAD") }], stack: "" },
      processes: {
        web: "bundle exec unicorn -c config/unicorn.rb -p $PORT",
        sidekiq: "bundle exec sidekiq",
        console: "bundle exec rails console",
      },
    });
    const paths = (await tgzEntries(pkg.path)).map((e) => e.path);
    expect(paths).toEqual(
      expect.arrayContaining(["Gemfile", "public/assets/application.css", ".profile.d/00_config_vars.sh"]),
    );
    const profile = await tgzFile(pkg.path, ".profile.d/00_config_vars.sh");
    expect(profile).toContain("RAILS_ENV='production'");
    const { stdout: sourced } = await execa("sh", ["-c", `${profile}\necho "$RAILS_ENV/$LANG"`], {
      env: { RAILS_ENV: "", PATH: process.env.PATH },
      extendEnv: false,
    });
    expect(sourced).toBe("production/en_US.UTF-8");

    const logs = events.filter((e) => e.type === "log").map((e) => e.line);
    expect(logs).toContain("-----> Running: rake assets:precompile (token [redacted:RAILS_SECRET_TOKEN])");
    expect(logs).toContain("       ENV_DIR says the token is [redacted:RAILS_SECRET_TOKEN]");
    expect(logs).toContain(
      "       STACK=[] BUILDPACK_VENDOR_URL=[https://s3.amazonaws.com/ttm-pkgr/rubies] BUNDLE_WITHOUT=[development test]",
    );
    expect(logs.find((l) => l.includes("inherited="))).toMatch(/HOME=\[\/.*\/home\] inherited=\[\]$/);

    for (const secret of [SECRET, DB_SECRET, "hunter2-db-pass"]) {
      expect(JSON.stringify(events)).not.toContain(secret);
      expect(JSON.stringify(pkg.manifest)).not.toContain(secret);
      expect(await artifactContains(pkg.path, secret)).toBe(false);
    }
    // The file on disk is the artifact the manifest describes, byte for byte.
    const bytes = await readFile(pkg.path);
    expect({ size: bytes.length, sha256: sha256Hex(bytes) }).toEqual({
      size: pkg.manifest.artifact.size,
      sha256: pkg.manifest.artifact.sha256,
    });
  });

  it("fails compile without the secret with E_BUILDPACK_COMPILE and the buildpack's last lines", async () => {
    const argv = seedArgv().map((word) =>
      word.startsWith("RAILS_SECRET_TOKEN=") ? "RAILS_SECRET_TOKEN=" : word,
    );
    const error = await buildPackage({
      ...parsePkgrArgs(argv),
      outDir: await temp.make("out"),
      compileCacheDir: join(caches, "compile"),
      buildpackCacheDir: join(caches, "buildpacks"),
    }).catch((e: unknown) => e);
    expect(isDeployKitError(error, "E_BUILDPACK_COMPILE")).toBe(true);
    expect((error as Error).message).toMatch(/failed to compile the app \(exit 1\)/);
    expect((error as Error).message).toContain("RAILS_SECRET_TOKEN is not set");
  });

  it("redacts a secret the failing buildpack prints into the error message and details", async () => {
    const events: DeployEvent[] = [];
    const options = parsePkgrArgs([...seedArgv().slice(0, 2), "FAIL_AFTER_ECHO=1", ...seedArgv().slice(2)]);
    const error = await buildPackage({
      ...options,
      outDir: await temp.make("out"),
      compileCacheDir: join(caches, "compile"),
      buildpackCacheDir: join(caches, "buildpacks"),
      onEvent: (e) => events.push(e),
    }).catch((e: unknown) => e);
    expect(isDeployKitError(error, "E_BUILDPACK_COMPILE")).toBe(true);
    expect((error as Error).message).toContain("precompile failed for [redacted:RAILS_SECRET_TOKEN]");
    for (const text of [
      (error as Error).message,
      JSON.stringify(error),
      JSON.stringify(events),
      String((error as Error).stack),
    ]) {
      expect(text).not.toContain(SECRET);
    }
  });
});
