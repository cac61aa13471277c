import { isDeployKitError } from "@deploykit/core";
import { parsePkgrArgs, timestampIteration } from "@deploykit/pkgr";
import { execa } from "execa";
import { describe, expect, it } from "vitest";

/** The team's command from the seed document, verbatim (after `pkgr package`). */
const SEED_COMMAND = String.raw`--env "RAILS_SECRET_TOKEN=" \
  "AWS_ASSETS_BUCKET=" "AWS_ACCESS_KEY=" \
  "AWS_ACCESS_KEY_ID=" \
  "DATABASE_URL=" \
  BUILDPACK_VENDOR_URL="https://s3.amazonaws.com/ttm-pkgr/rubies" "STACK=\"\"" \
  "ROLE_ID=Debug.1" "BUNDLE_WITHOUT=\"development test\"" \
  --name=apangea --user=www-data --group=www-data \
  --buildpack="https://github.com/thinkthroughmath/heroku-buildpack-ruby.git" \
  --verbose /var/www`;

/** Splits a command line into words with a real shell, as pkgr would receive them. */
async function shellWords(command: string): Promise<string[]> {
  const { stdout } = await execa("bash", ["-c", `printf '%s\\0' ${command}`]);
  return String(stdout).split("\0").slice(0, -1);
}

const NOW = new Date("2026-03-04T05:06:07Z");

describe("parsePkgrArgs", () => {
  it("parses the seed's pkgr command line exactly", async () => {
    const argv = await shellWords(SEED_COMMAND);
    expect(argv).toContain('STACK=""');
    expect(parsePkgrArgs(argv, NOW)).toEqual({
      appDir: "/var/www",
      name: "apangea",
      user: "www-data",
      group: "www-data",
      buildpacks: ["https://github.com/thinkthroughmath/heroku-buildpack-ruby.git"],
      env: {
        RAILS_SECRET_TOKEN: "",
        AWS_ASSETS_BUCKET: "",
        AWS_ACCESS_KEY: "",
        AWS_ACCESS_KEY_ID: "",
        DATABASE_URL: "",
        ROLE_ID: "Debug.1",
        BUNDLE_WITHOUT: "development test",
      },
      stack: "",
      buildpackVendorUrl: "https://s3.amazonaws.com/ttm-pkgr/rubies",
      iteration: "20260304050607",
      verbose: true,
      debug: false,
      clean: false,
      edge: false,
    });
  });

  it("accepts --flag=value and --flag value, comma buildpack lists, --no- booleans and --env=K=V", () => {
    const parsed = parsePkgrArgs(
      [
        "--name",
        "app",
        "--version=1.2.3",
        "--iteration",
        "7",
        "--buildpack",
        "https://a/x.git#v1,https://b/y.git",
        "--env=A=1",
        "B='two words'",
        "--dependencies",
        "libpq5",
        "redis-server",
        "--no-verbose",
        "--logrotate-backlog=12",
        "--compile-cache-dir",
        "/cache",
        "--before-precompile",
        "script/pre.sh",
        "app-dir",
      ],
      NOW,
    );
    expect(parsed).toMatchObject({
      appDir: "app-dir",
      name: "app",
      version: "1.2.3",
      iteration: "7",
      buildpacks: ["https://a/x.git#v1", "https://b/y.git"],
      env: { A: "1", B: "two words" },
      dependencies: ["libpq5", "redis-server"],
      verbose: false,
      logrotateBacklog: 12,
      compileCacheDir: "/cache",
      beforePrecompile: ['bash "script/pre.sh"'],
    });
  });

  it("stops --env at the first word that is not NAME=value (the app dir)", () => {
    expect(parsePkgrArgs(["--env", "A=1", "B=", "./app"], NOW)).toMatchObject({
      appDir: "./app",
      env: { A: "1", B: "" },
    });
  });

  it("defaults the app dir to . and the iteration to pkgr's timestamp", () => {
    const parsed = parsePkgrArgs([], NOW);
    expect(parsed.appDir).toBe(".");
    expect(parsed.iteration).toBe(timestampIteration(NOW));
    expect(parsed.version).toBeUndefined();
  });

  it("refuses unknown flags, missing values and two dirs with E_INVALID_INPUT", () => {
    for (const argv of [
      ["--nope"],
      ["--name"],
      ["--env"],
      ["a", "b"],
      ["--format", "rpm"],
      ["--logrotate-backlog", "x"],
    ]) {
      let error: unknown;
      try {
        parsePkgrArgs(argv, NOW);
      } catch (e) {
        error = e;
      }
      expect(isDeployKitError(error, "E_INVALID_INPUT"), argv.join(" ")).toBe(true);
    }
  });

  it("never echoes an --env value in its errors", () => {
    let error: unknown;
    try {
      parsePkgrArgs(["--env", "GOOD=1", "--env=notapair-secretvalue"], NOW);
    } catch (e) {
      error = e;
    }
    expect(isDeployKitError(error, "E_INVALID_INPUT")).toBe(true);
    expect(JSON.stringify(error)).not.toContain("secretvalue");
  });
});
