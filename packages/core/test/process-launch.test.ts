// How a Procfile process starts on a host (issue 12 item 1), run under dash as on Ubuntu.
import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isDeployKitError, launchScript } from "@deploykit/core";
import { execa } from "execa";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { lintRemoteScript } from "./support/remote-lint";

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "dk-launch- it's "));
  await mkdir(join(dir, ".profile.d"));
  // Sourced in lexical (byte) order; each appends its name. A non-.sh file is not sourced.
  for (const name of ["b.sh", "10-first.sh", "a.sh", "README"]) {
    await writeFile(join(dir, ".profile.d", name), `export ORDER="\${ORDER:-}${name} "\n`);
  }
  await mkdir(join(dir, "vendor", "bin"), { recursive: true });
  await writeFile(join(dir, "vendor", "bin", "vendored-tool"), '#!/bin/sh\necho "tool: $*"\n');
  await chmod(join(dir, "vendor", "bin", "vendored-tool"), 0o755);
  await writeFile(join(dir, ".profile.d", "path.sh"), 'export PATH="$HOME/vendor/bin:$PATH"\n');
});

afterEach(() => rm(dir, { recursive: true, force: true }));

const dash = (script: string) => execa("dash", ["-c", script], { cwd: tmpdir(), reject: false });

describe("launchScript()", () => {
  it("cd + HOME, PORT and env before .profile.d (in lexical order), then the Procfile line with sh -c", async () => {
    const script = launchScript({
      dir,
      command: 'vendored-tool "$PORT" && echo "$ORDER|$HOME|$(pwd)|$SECRET|$CONFIGURED"',
      port: 6000,
      env: { SECRET: 'a\'b "c" $HOME `x`', CONFIGURED: "from env" },
    });
    const result = await dash(script);
    expect(result.stderr).toBe("");
    expect(result.stdout.split("\n")).toEqual([
      "tool: 6000",
      `10-first.sh a.sh b.sh |${dir}|${dir}|a'b "c" $HOME \`x\`|from env`,
    ]);
  });

  it("uses only what Ubuntu 12.04's dash and coreutils 8.13 have (the remote-command lint)", () => {
    // `.` and `sh` are POSIX and on every host; the app's own program is the app's business.
    const ours = (problems: string[]) =>
      problems.filter((p) => !/^command "(\.|sh|sidekiq)" is not in the Ubuntu 12.04 list$/.test(p));
    const procfile = launchScript({
      dir: "/srv/web/current",
      command: "rackup -p $PORT",
      port: 6000,
      env: { A: "b" },
    });
    expect(ours(lintRemoteScript(procfile))).toEqual([]);
    const argv = launchScript({ dir: "/srv/web/current", command: ["sidekiq", "-C", "x.yml"] });
    expect(ours(lintRemoteScript(argv))).toEqual([]);
  });

  it("execs an argv in place: the launcher's pid is the program's pid", async () => {
    const script = launchScript({ dir, command: ["sh", "-c", "echo $$"] });
    const child = execa("dash", ["-c", script]);
    const { stdout } = await child;
    expect(Number(stdout)).toBe(child.pid);
  });

  it("refuses a bad env name or an empty command before producing a script", () => {
    const bad = (() => {
      try {
        return launchScript({ dir, command: "true", env: { "NOT-A-NAME": "x" } });
      } catch (error) {
        return error;
      }
    })();
    expect(isDeployKitError(bad, "E_INVALID_INPUT")).toBe(true);
    expect(() => launchScript({ dir, command: "  " })).toThrow(/no command/);
  });
});
