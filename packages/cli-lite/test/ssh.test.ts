import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestHosts, type TestHost, type TestHosts } from "../../../test-support/ssh-hosts/index.mjs";
import { makeArtifact } from "./support/artifact";
import { deploykit, jsonLines, tempDir } from "./support/cli";

// `deploykit install|deploy|restart|releases|rollback --host user@server` on a real server over SSH.
describe("--host user@server", () => {
  let hosts: TestHosts;
  let server: TestHost;
  let dir: string;
  let cleanup: () => Promise<void>;
  let remote: string[];
  beforeAll(async () => {
    hosts = await startTestHosts({ hosts: ["cli"] });
    server = hosts.host("cli");
    ({ dir, cleanup } = await tempDir());
    const store = join(dir, "store");
    for (const version of ["1.0.0", "1.1.0"]) {
      const artifact = await makeArtifact(dir, "hello", version);
      expect((await deploykit(["publish", artifact, "--store", store])).exitCode).toBe(0);
    }
    remote = ["--host", `root@${server.address}:22`, "--ssh-config", hosts.sshConfig, "--root", "/srv/hello"];
  }, 300_000);
  afterAll(async () => {
    await cleanup?.();
    await hosts?.stop();
  });

  it("installs, lists and rolls back on the server, not on this machine", async () => {
    const store = ["--store", join(dir, "store"), "--app", "hello"];
    for (const version of ["1.0.0", "1.1.0"]) {
      const run = await deploykit(["install", ...store, "--version", version, ...remote, "--json"]);
      expect(run.exitCode, run.stderr).toBe(0);
      const lines = jsonLines(run.stdout);
      expect(lines.at(-1)).toMatchObject({
        result: { release: { version }, unchanged: false },
      });
      // Every event line names the server it happened on.
      const events = lines.slice(0, -1);
      expect(events.length).toBeGreaterThan(0);
      for (const event of events) expect(event).toMatchObject({ host: `root@${server.address}:22` });
    }
    expect((await server.ssh("readlink /srv/hello/current")).stdout).toBe("releases/1.1.0\n");

    const listed = await deploykit(["releases", ...remote, "--json"]);
    expect(listed.exitCode, listed.stderr).toBe(0);
    expect(jsonLines(listed.stdout).at(-1)).toMatchObject({
      result: { installed: { current: "1.1.0", previous: "1.0.0" } },
    });

    const shown = await deploykit(["status", ...remote, "--json"]);
    expect(shown.exitCode, shown.stderr).toBe(0);
    expect(jsonLines(shown.stdout).at(-1)).toMatchObject({
      result: { live: { version: "1.1.0" }, previous: { version: "1.0.0" }, lock: { held: false } },
    });

    const back = await deploykit(["rollback", ...remote]);
    expect(back.exitCode, back.stderr).toBe(0);
    expect(back.stdout).toContain("Rolled back to hello 1.0.0");
    expect((await server.ssh("readlink /srv/hello/current")).stdout).toBe("releases/1.0.0\n");
  }, 120_000);

  it("deploy, restart and rollback with a strategy run the strategy on the server", async () => {
    // The command strategy's command runs on the server, in the live release's folder.
    const strategy = ["--strategy", "command", "--command", "pwd >> /srv/hello/shared/restarts"];
    const deploy = await deploykit([
      "deploy",
      ...["--store", join(dir, "store"), "--app", "hello", "--version", "1.1.0", ...remote],
      ...strategy,
    ]);
    expect(deploy.exitCode, deploy.stderr).toBe(0);
    expect((await server.ssh("readlink /srv/hello/current")).stdout).toBe("releases/1.1.0\n");
    const restart = await deploykit(["restart", ...remote, ...strategy]);
    expect(restart.exitCode, restart.stderr).toBe(0);
    const back = await deploykit(["rollback", ...remote, ...strategy]);
    expect(back.exitCode, back.stderr).toBe(0);
    expect((await server.ssh("cat /srv/hello/shared/restarts")).stdout).toBe(
      "/srv/hello/releases/1.1.0\n/srv/hello/releases/1.1.0\n/srv/hello/releases/1.0.0\n",
    );
  }, 120_000);

  it("refuses a relative root and a malformed --host", async () => {
    const relative = await deploykit(["releases", "--host", `root@${server.address}`, "--root", "srv/hello"]);
    expect(relative.exitCode).not.toBe(0);
    expect(relative.stderr).toContain("must be absolute");
    const malformed = await deploykit(["releases", "--host", "root@a b", "--root", "/srv/hello"]);
    expect(malformed.exitCode).not.toBe(0);
    expect(malformed.stderr).toContain("user@server");
  }, 60_000);

  it("--transfer: a bad value is a usage error; presigned-url with a store that cannot presign is refused before the host is touched", async () => {
    const install = [
      "install",
      "--store",
      join(dir, "store"),
      "--app",
      "hello",
      "--version",
      "1.1.0",
      ...remote,
    ];
    const bogus = await deploykit([...install, "--transfer", "carrier-pigeon"]);
    expect(bogus.exitCode).toBe(2);
    expect(bogus.stderr).toContain("--transfer is stream or presigned-url");
    const before = (await server.ssh("readlink /srv/hello/current")).stdout;
    const noUrls = await deploykit([...install, "--transfer", "presigned-url"]);
    expect(noUrls.exitCode).not.toBe(0);
    expect(noUrls.stderr).toMatch(/cannot give presigned URLs.*E_INVALID_INPUT/s);
    expect((await server.ssh("readlink /srv/hello/current")).stdout).toBe(before);
  }, 60_000);

  it("lock --host shows who holds a server root's lock and --release --force removes it", async () => {
    const record = {
      pid: 1,
      host: "ci-runner-7",
      since: "2026-11-30T10:00:00Z",
      operation: "deploy hello 2.0.0",
      token: "x",
    };
    await server.ssh(
      "mkdir -p /srv/held/.deploykit && cat > /srv/held/.deploykit/lock",
      JSON.stringify(record),
    );
    const at = [
      "--host",
      `root@${server.address}:22`,
      "--ssh-config",
      hosts.sshConfig,
      "--root",
      "/srv/held",
    ];
    const shown = await deploykit(["lock", ...at]);
    expect(shown.exitCode, shown.stderr).toBe(0);
    expect(shown.stdout).toContain("Locked by pid 1 on ci-runner-7 (deploy hello 2.0.0)");
    const refused = await deploykit(["lock", "--release", ...at]);
    expect(refused.exitCode).not.toBe(0);
    expect(refused.stderr).toContain("E_LOCKED");
    const released = await deploykit(["lock", "--release", "--force", ...at]);
    expect(released.exitCode, released.stderr).toBe(0);
    expect((await server.ssh("ls -A /srv/held/.deploykit")).stdout).toBe("");
  }, 60_000);

  it("--sudo-user runs every command on the server as that user (files it writes are its own)", async () => {
    const at = ["--host", `root@${server.address}:22`, "--ssh-config", hosts.sshConfig];
    const run = await deploykit([
      "install",
      ...["--store", join(dir, "store"), "--app", "hello", "--version", "1.0.0"],
      ...at,
      ...["--sudo-user", "deploy", "--root", "/var/tmp/hello"],
    ]);
    expect(run.exitCode, run.stderr).toBe(0);
    const owners = await server.ssh(
      "stat -c %U /var/tmp/hello/releases/1.0.0 /var/tmp/hello/.deploykit/state.json",
    );
    expect(owners.stdout).toBe("deploy\ndeploy\n");
    // A root that user may not write is E_PERMISSION, as it would be on this machine.
    const refused = await deploykit([
      "install",
      ...["--store", join(dir, "store"), "--app", "hello", "--version", "1.0.0"],
      ...at,
      ...["--sudo-user", "deploy", "--root", "/srv/not-yours"],
    ]);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain("[E_PERMISSION]");
  }, 60_000);
});
