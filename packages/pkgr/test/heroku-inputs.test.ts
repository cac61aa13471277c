// Issue 12 items 3, 4, 6 and 8: inputs from real buildpacks and Procfiles, each built through
// buildPackage into a real .deb (read back with dpkg-deb) and a real git for the fetch error.
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { type BuiltPackage, type DeployEvent, isDeployKitError } from "@deploykit/core";
import { buildPackage } from "@deploykit/pkgr";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempDirs, writeTree } from "./helpers";

const temp = tempDirs();
afterAll(() => temp.cleanup());

const NAME = "heroku-inputs";
const SECRET = "s3cr3t-value-from-env";
let pkg: BuiltPackage;
const events: DeployEvent[] = [];

const debFile = (path: string) =>
  execFileSync("sh", ["-c", `dpkg-deb --fsys-tarfile "$1" | tar -xOf - "./$2"`, "sh", pkg.path, path], {
    encoding: "utf8",
  });

beforeAll(async () => {
  const bp = await temp.make("bp");
  await writeTree(bp, {
    "bin/detect": "#!/bin/sh\necho Inputs\n",
    // Real buildpacks write to /dev/stderr (needs a pipe, not a socket) and, badly, secrets into the app.
    "bin/compile":
      '#!/bin/sh\nset -e\necho "warning via /dev/stderr" > /dev/stderr\necho "info via /dev/stdout" > /dev/stdout\ncat "$3/SECRET_TOKEN" > "$1/leaked.txt"\n',
    "bin/release":
      "#!/bin/sh\ncat <<'YAML'\n---\nconfig_vars:\n  UMASK: 0755\n  LIMIT: 1e3\n  FLAG: yes\ndefault_process_types:\n  web: bin/web\n  rake: bundle exec rake\n  console: bundle exec irb\nYAML\n",
  });
  const app = join(await temp.make("app"), NAME);
  await writeTree(app, {
    Procfile: "\uFEFFworker: bin/worker\r\nclock: bin/clock\r\n",
    "bin/web": "#!/bin/sh\necho web\n",
  });
  pkg = await buildPackage({
    appDir: app,
    version: "1.0.0",
    format: "deb",
    buildpacks: [bp],
    env: { SECRET_TOKEN: SECRET },
    outDir: join(app, "..", "out"),
    readPkgrYml: false,
    onEvent: (event) => events.push(event),
  });
});

describe("Heroku inputs", () => {
  it("a Procfile with a UTF-8 BOM and CRLF keeps its first process", () => {
    expect(Object.keys(pkg.manifest.processes).sort()).toEqual(["clock", "console", "rake", "web", "worker"]);
    expect(pkg.manifest.processes.worker).toBe("bin/worker");
  });

  it("services only for Procfile processes, plus web from the defaults when the Procfile has none", () => {
    const listing = execFileSync("dpkg-deb", ["-c", pkg.path], { encoding: "utf8" });
    const units = [...listing.matchAll(/lib\/systemd\/system\/(\S+)\.service/g)].map((m) => m[1]).sort();
    expect(units).toEqual([`${NAME}-clock`, `${NAME}-web`, `${NAME}-worker`]);
    // ...while `<name> run rake` still knows the one-off types.
    expect(debFile(`usr/bin/${NAME}`)).toContain("'bundle exec rake'");
  });

  it("bin/release config_vars keep their scalars as written", () => {
    const profile = debFile(`opt/${NAME}/.profile.d/00_config_vars.sh`);
    expect(profile).toContain("UMASK='0755'");
    expect(profile).toContain("LIMIT='1e3'");
    expect(profile).toContain("FLAG='yes'");
  });

  it("the buildpack's stdio are pipes: `echo x > /dev/stderr` works", () => {
    const lines = events.filter((e) => e.type === "log").map((e) => e.line);
    expect(lines).toContain("warning via /dev/stderr");
    expect(lines).toContain("info via /dev/stdout");
  });

  it("the .deb path runs the leak scan too", () => {
    const warnings = events.filter((e) => e.type === "warning").map((e) => e.message);
    expect(warnings).toEqual([expect.stringMatching(/^The package contains the value of SECRET_TOKEN/)]);
    expect(debFile(`opt/${NAME}/leaked.txt`)).toBe(`${SECRET}`);
  });

  it("a failed git clone shows git's own message in the error", async () => {
    const app = await temp.make("app-git");
    const missing = `file://${join(app, "no-such-buildpack.git")}`;
    const error = await buildPackage({
      appDir: app,
      name: "gitfail",
      version: "1.0.0",
      buildpacks: [missing],
      readPkgrYml: false,
    }).catch((e: unknown) => e);
    expect(isDeployKitError(error, "E_BUILDPACK_FETCH"), String(error)).toBe(true);
    expect((error as Error).message).toMatch(
      /git said: .*(does not appear to be a git repository|not found)/s,
    );
  });
});
