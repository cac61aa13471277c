import { chmod, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedPackageArgv } from "../../../test-support/seed-command";
import { deploykit, jsonLines, tempDir } from "./support/cli";

/**
 * A buildpack that echoes every env value it gets (plainly, base64, inside a Basic auth
 * header, URL-encoded) and, like the Ruby buildpack's `.bundle/config`, writes the settings
 * BUNDLE_WITHOUT and ROLE_ID into the app.
 */
const COMPILE = `#!/usr/bin/env bash
set -eu
build=$1 env_dir=$3
urlencode() {
  local s=$1 i c
  for ((i = 0; i < \${#s}; i++)); do
    c=\${s:i:1}
    case $c in [a-zA-Z0-9._~-]) printf %s "$c" ;; *) printf '%%%02X' "'$c" ;; esac
  done
}
for file in "$env_dir"/*; do
  name=$(basename "$file")
  value=$(cat "$file")
  echo "env $name=$value"
  echo "base64 $name $(printf %s "$value" | base64 -w0) and with newline $(echo "$value" | base64 -w0)"
  echo "Authorization: Basic $(printf 'deploy:%s' "$value" | base64 -w0)"
  echo "url $name=$(urlencode "$value")"
done
mkdir -p "$build/.bundle"
printf 'BUNDLE_WITHOUT: "%s"\\nROLE_ID: "%s"\\n' "$BUNDLE_WITHOUT" "$ROLE_ID" > "$build/.bundle/config"
`;

async function writeEchoBuildpack(dir: string): Promise<void> {
  await mkdir(join(dir, "bin"), { recursive: true });
  const scripts = {
    detect: '#!/bin/sh\n[ -f "$1/Gemfile" ] && echo "Echo" && exit 0\nexit 1\n',
    compile: COMPILE,
    release: '#!/bin/sh\nprintf -- "---\\ndefault_process_types:\\n  web: ./web.sh\\n"\n',
  };
  for (const [name, text] of Object.entries(scripts)) {
    await writeFile(join(dir, "bin", name), text);
    await chmod(join(dir, "bin", name), 0o755);
  }
}

const MULTI_LINE = "firstline-Qz7\nsecondline-Wx9";
const SECRETS = {
  RAILS_SECRET_TOKEN: MULTI_LINE,
  AWS_ACCESS_KEY: "aws-access-key-Jh3",
  AWS_ACCESS_KEY_ID: "AKIAEXAMPLE0EXAMPLE",
  DATABASE_URL: "postgres://app:p@ss word/+db@db.internal/app",
};

/** Every form of every secret the buildpack printed, none of which may appear in output. */
function printedForms(): string[] {
  const forms: string[] = [];
  for (const value of Object.values(SECRETS)) {
    forms.push(value, encodeURIComponent(value), Buffer.from(value).toString("base64"));
    forms.push(
      Buffer.from(`${value}\n`).toString("base64"),
      Buffer.from(`deploy:${value}`).toString("base64"),
    );
    for (const line of value.split("\n")) forms.push(line);
  }
  // The password alone, as the userinfo of DATABASE_URL.
  forms.push("p@ss word/+db", "p%40ss%20word%2F%2Bdb");
  return forms;
}

describe("deploykit package: secrets vs settings with the seed's command line", () => {
  let dir: string;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir());
    await mkdir(join(dir, "www"));
    await writeFile(join(dir, "www", "Gemfile"), "source 'https://rubygems.org'\n");
    await writeFile(join(dir, "www", "Procfile"), "web: ./web.sh\n");
    await writeEchoBuildpack(join(dir, "buildpack"));
  });
  afterAll(() => cleanup());

  it("as written (secrets empty): settings are shown as given, nothing is redacted, no leak warning", async () => {
    const run = await deploykit(["package", ...seedPackageArgv(join(dir, "buildpack"), "www")], { cwd: dir });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stderr).toContain("env BUNDLE_WITHOUT=development test");
    expect(run.stderr).toContain("env ROLE_ID=Debug.1");
    expect(run.stderr).not.toContain("redacted");
    expect(run.stderr).not.toContain("package contains");
  });

  it("with secret values (one multi-line): every line and encoding is redacted in --verbose and --json, settings are not", async () => {
    const human = await deploykit(["package", ...seedPackageArgv(join(dir, "buildpack"), "www", SECRETS)], {
      cwd: dir,
    });
    expect(human.exitCode, human.stderr).toBe(0);
    const json = await deploykit(
      [
        "package",
        ...seedPackageArgv(join(dir, "buildpack"), "www", SECRETS).slice(0, -1),
        "--out-dir",
        "out",
        "--json",
        "www",
      ],
      { cwd: dir },
    );
    expect(json.exitCode, json.stdout).toBe(0);

    for (const [label, text] of [
      ["--verbose", human.stderr + human.stdout],
      ["--json", json.stdout + json.stderr],
    ] as const) {
      for (const form of printedForms()) expect(text, `${label} shows ${form}`).not.toContain(form);
      for (const name of Object.keys(SECRETS)) expect(text, label).toContain(`[redacted:${name}]`);
      expect(text, label).toContain("env BUNDLE_WITHOUT=development test");
      expect(text, label).toContain("env AWS_ASSETS_BUCKET=");
      expect(text, label).not.toContain("package contains");
    }
    const logs = jsonLines(json.stdout)
      .filter((event) => event.type === "log")
      .map((event) => event.line);
    expect(logs).toContain("env RAILS_SECRET_TOKEN=[redacted:RAILS_SECRET_TOKEN]");
    expect(logs).toContain("[redacted:RAILS_SECRET_TOKEN]");
    expect(logs).toContain("env ROLE_ID=Debug.1");

    const { result } = jsonLines(json.stdout).at(-1) as { result: { path: string } };
    const config = await execa("tar", ["-xzOf", result.path, ".bundle/config"]);
    expect(config.stdout).toBe('BUNDLE_WITHOUT: "development test"\nROLE_ID: "Debug.1"');
  });
});
