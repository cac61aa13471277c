import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestHosts, type TestHosts } from "../../../test-support/ssh-hosts/index.mjs";

const run = promisify(execFile);

// The harness itself: real servers the SSH tests can trust (and that clean up after themselves).
describe("SSH test hosts", () => {
  let hosts: TestHosts;
  beforeAll(async () => {
    hosts = await startTestHosts({ hosts: ["bare", "other"] });
  }, 300_000);
  afterAll(() => hosts?.stop());

  it("boots systemd as PID 1 with its own hostname and sshd, and nothing but a shell toolbox", async () => {
    const bare = hosts.host("bare");
    const probe = await bare.ssh(
      "cat /proc/1/comm; hostname; systemctl is-system-running --wait; for t in node nodejs ruby python python3; do command -v $t || echo no-$t; done; sh -c 'echo sh-ok'",
    );
    expect(probe.code).toBe(0);
    expect(probe.stdout.split("\n")).toEqual([
      "systemd",
      "bare",
      "running",
      "no-node",
      "no-nodejs",
      "no-ruby",
      "no-python",
      "no-python3",
      "sh-ok",
      "",
    ]);
    expect((await hosts.host("other").ssh("hostname")).stdout).toBe("other\n");
  });

  it("gives each host its own network namespace, address and host key", async () => {
    const [a, b] = hosts.hosts;
    expect(a?.address).not.toBe(b?.address);
    expect(a?.hostKey).not.toBe(b?.hostKey);
    const seen = await a?.ssh("cat /etc/ssh/ssh_host_ed25519_key.pub /proc/net/fib_trie");
    expect(seen?.stdout).toContain(a?.hostKey.split(" ")[1]);
    expect(seen?.stdout).toContain(a?.address);
    expect(seen?.stdout).not.toContain(b?.address);
  });

  it("refuses a host whose key is not the known one (strict checking, no prompt)", async () => {
    const [a, b] = hosts.hosts;
    const forged = join(hosts.dir, "forged_known_hosts");
    // b's key recorded for a's address: ssh must refuse to talk to a.
    await writeFile(forged, `${a?.address} ${b?.hostKey.split(" ").slice(0, 2).join(" ")}\n`);
    const attempt = await run("ssh", [
      "-F",
      hosts.sshConfig,
      "-o",
      `UserKnownHostsFile=${forged}`,
      `root@${a?.address}`,
      "true",
    ]).then(
      () => "connected",
      (error: { stderr: string }) => error.stderr,
    );
    expect(attempt).toMatch(/HOST IDENTIFICATION HAS CHANGED|Host key verification failed/);
  });

  it("lets the deploy user in with the same key and sudo without a password", async () => {
    const { stdout } = await run("ssh", [
      "-F",
      hosts.sshConfig,
      "-l",
      "deploy",
      hosts.host("bare").address,
      "id -un; sudo -n id -u",
    ]);
    expect(stdout).toBe("deploy\n0\n");
  });
});

describe("SSH test hosts teardown", () => {
  it("removes namespaces, cgroups, mounts and files, also after a failed boot", async () => {
    const hosts = await startTestHosts({ hosts: ["brief"] });
    const host = hosts.host("brief");
    await hosts.stop();
    const { stdout: namespaces } = await run("ip", ["netns", "list"]);
    expect(namespaces).not.toMatch(new RegExp(`^${host.machine}\\b`, "m"));
    expect(existsSync(`/sys/fs/cgroup/systemd/deploykit-test-hosts/${host.machine}`)).toBe(false);
    expect(existsSync(host.dir)).toBe(false);
    expect(existsSync(hosts.dir)).toBe(false);
    const { stdout: mounts } = await run("cat", ["/proc/mounts"]);
    expect(mounts).not.toContain(host.dir);
    // A boot that cannot finish in time fails and still leaves nothing behind.
    const failed = await startTestHosts({ hosts: ["slow"], bootTimeoutMs: 1 }).then(
      () => "booted",
      (error: Error) => error.message,
    );
    expect(failed).toMatch(/not reachable/);
    const { stdout: after } = await run("ip", ["netns", "list"]);
    expect(after).not.toMatch(new RegExp(`^${host.machine}\\b`, "m"));
  }, 120_000);
});
