import { existsSync } from "node:fs";
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deploykit, jsonLines, tempDir } from "./support/cli";

const SECRET = "s3cr3t-token-4f9a1c";

/** A buildpack like the Ruby one: needs RAILS_SECRET_TOKEN at build time, and echoes it. */
async function writeBuildpack(dir: string): Promise<void> {
  await mkdir(join(dir, "bin"), { recursive: true });
  const scripts = {
    detect: '#!/bin/sh\n[ -f "$1/Procfile" ] && echo "Fixture" && exit 0\nexit 1\n',
    compile: [
      "#!/bin/sh",
      'BUILD="$1"; ENV_DIR="$3"',
      '[ -s "$ENV_DIR/RAILS_SECRET_TOKEN" ] || { echo "RAILS_SECRET_TOKEN is not set" >&2; exit 1; }',
      'echo "-----> precompiling with token $(cat "$ENV_DIR/RAILS_SECRET_TOKEN")"',
      'echo "compiled for STACK=[$STACK] without [$(cat "$ENV_DIR/BUNDLE_WITHOUT")]" > "$BUILD/compiled.txt"',
      "",
    ].join("\n"),
    release: '#!/bin/sh\nprintf -- "---\\ndefault_process_types:\\n  worker: ./worker.sh\\n"\n',
  };
  for (const [name, text] of Object.entries(scripts)) {
    await writeFile(join(dir, "bin", name), text);
    await chmod(join(dir, "bin", name), 0o755);
  }
}

describe("build and package", () => {
  let dir: string;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir());
    await mkdir(join(dir, "app"));
    await writeFile(join(dir, "app", "Procfile"), "web: node server.js\n");
    await writeFile(join(dir, "app", "server.js"), "console.log('hi')\n");
    await writeBuildpack(join(dir, "buildpack"));
  });
  afterAll(() => cleanup());

  it("build writes the artifact and <artifact>.manifest.json, which publish and install use", async () => {
    const built = await deploykit(
      ["build", "app", "--name", "hello", "--version", "1.0.0", "--out-dir", "out", "--json"],
      {
        cwd: dir,
      },
    );
    expect(built.exitCode, built.stdout).toBe(0);
    const { result } = jsonLines(built.stdout).at(-1) as { result: { path: string; manifestPath: string } };
    const manifest = JSON.parse(await readFile(result.manifestPath, "utf8"));
    expect(manifest).toMatchObject({ app: "hello", version: "1.0.0", processes: { web: "node server.js" } });

    expect((await deploykit(["publish", result.path, "--store", "store"], { cwd: dir })).exitCode).toBe(0);
    const installed = await deploykit(
      ["install", "--store", "store", "--app", "hello", "--version", "1.0.0", "--root", "host"],
      {
        cwd: dir,
      },
    );
    expect(installed.exitCode, installed.stderr).toBe(0);
    expect(await readFile(join(dir, "host", "current", "server.js"), "utf8")).toContain("hi");
  });

  it("package accepts the team's pkgr command line and keeps the secret out of output, artifact and manifest", async () => {
    const seed = [
      "package",
      "--env",
      `RAILS_SECRET_TOKEN=${SECRET}`,
      "DATABASE_URL=",
      "BUILDPACK_VENDOR_URL=http://vendor.example/rubies",
      'STACK=""',
      'BUNDLE_WITHOUT="development test"',
      "--name=apangea",
      "--user=www-data",
      "--group=www-data",
      `--buildpack=${join(dir, "buildpack")}`,
      "--verbose",
      "app",
    ];
    const human = await deploykit(seed, { cwd: dir });
    expect(human.exitCode, human.stderr).toBe(0);
    expect(human.stderr).toContain("precompiling with token"); // --verbose shows buildpack output…
    expect(`${human.stdout}${human.stderr}`).not.toContain(SECRET); // …redacted

    const json = await deploykit([...seed.slice(0, -1), "--out-dir", "pkg", "--json", "app"], { cwd: dir });
    expect(json.exitCode, json.stdout).toBe(0);
    expect(json.stdout).not.toContain(SECRET);
    const { result } = jsonLines(json.stdout).at(-1) as { result: { path: string; manifestPath: string } };
    expect(result.path).toMatch(/apangea_0\.0\.0-\d{14}\.tgz$/);
    expect((await readFile(result.path)).includes(SECRET)).toBe(false);
    const manifestText = await readFile(result.manifestPath, "utf8");
    expect(manifestText).not.toContain(SECRET);
    expect(JSON.parse(manifestText).processes).toMatchObject({
      web: "node server.js",
      worker: "./worker.sh",
    });
    const listing = await execa("tar", ["-xzOf", result.path, "compiled.txt"]);
    expect(listing.stdout).toBe("compiled for STACK=[] without [development test]");
  });

  it("a .tgz version with an epoch is refused before anything is written (releases/1:3.0.0 would split PATH)", async () => {
    const run = await deploykit(["build", "app", "--version", "1:3.0.0", "--out-dir", "epoch"], { cwd: dir });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain("E_INVALID_VERSION");
    expect(run.stderr).toContain("--format deb");
    expect(existsSync(join(dir, "epoch"))).toBe(false);
  });

  it("a pkgr flag it does not know is a usage error (exit 2)", async () => {
    const run = await deploykit(["package", "--bogus", "app"], { cwd: dir });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain("Unknown option --bogus");
  });

  it("a failing compile is reported with its code, redacted", async () => {
    const run = await deploykit(
      ["package", "--name=apangea", `--buildpack=${join(dir, "buildpack")}`, "app"],
      {
        cwd: dir,
      },
    );
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain("[E_BUILDPACK_COMPILE]");
  });
});
