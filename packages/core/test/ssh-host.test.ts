import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtemp, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { PassThrough, Readable } from "node:stream";
import { promisify } from "node:util";
import { type HostConnection, isDeployKitError, sshHost } from "@deploykit/core";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startTestHosts, type TestHost, type TestHosts } from "../../../test-support/ssh-hosts/index.mjs";

const run = promisify(execFile);
const sha256 = (data: Buffer | string) => createHash("sha256").update(data).digest("hex");
const MB = 1024 * 1024;

/** Deterministic pseudo-random bytes (xorshift), so a corrupted byte anywhere changes the hash. */
function bytes(size: number, seed = 7): Buffer {
  const out = Buffer.alloc(size);
  let x = seed;
  for (let i = 0; i < size; i += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out.writeInt32LE(x | 0, i);
  }
  return out;
}
const chunks = (data: Buffer, size = MB) =>
  Readable.from(
    (function* () {
      for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
    })(),
  );

let hosts: TestHosts;
let server: TestHost;
let host: HostConnection;
let controlDir: string;
beforeAll(async () => {
  hosts = await startTestHosts({ hosts: ["remote"] });
  server = hosts.host("remote");
  controlDir = await mkdtemp(join(hosts.dir, "control-"));
  host = sshHost({ host: "remote", sshConfig: hosts.sshConfig, controlDir });
}, 300_000);
afterAll(async () => {
  await host?.close();
  await hosts?.stop();
});

const accepted = async () =>
  Number(
    (await server.ssh("journalctl -u ssh --no-pager -o cat | grep -c 'Accepted publickey'")).stdout.trim(),
  );
const established = async () =>
  (await run("ss", ["-Htn", "state", "established", "dst", `${server.address}:22`])).stdout
    .trim()
    .split("\n")
    .filter(Boolean).length;

describe("sshHost on a real server", () => {
  it("streams a 50 MB upload whose sha256sum on the host matches", async () => {
    const data = bytes(50 * MB);
    const path = "/srv/app/.deploykit/cache/big.tgz";
    let sent = 0;
    await host.upload(chunks(data), path, { sha256: sha256(data), onProgress: (b) => (sent = b) });
    expect(sent).toBe(data.length);
    const { stdout } = await host.exec('sha256sum "$1"; stat -c %s "$1"', { args: [path] });
    expect(stdout.toString()).toBe(`${sha256(data)}  ${path}\n${data.length}\n`);
  }, 120_000);

  it("reuses one multiplexed master: one TCP connection and one authentication for many operations", async () => {
    const before = await accepted();
    for (let i = 0; i < 15; i++) await host.exec("true");
    await Promise.all(Array.from({ length: 10 }, (_, i) => host.writeFile(`/srv/app/many/${i}`, String(i))));
    expect(await established()).toBe(1);
    expect(host.stats.handshakes).toBe(1);
    // The two counting commands authenticate themselves; nothing else did.
    expect((await accepted()) - before).toBe(1);
  });

  it("a lost connection mid-upload leaves the old file in place and no partial file", async () => {
    const path = "/srv/app/shared/config.bin";
    await host.writeFile(path, "old");
    for (const cut of ["kill the ssh client", "kill the master"] as const) {
      const source = new PassThrough();
      const controller = new AbortController();
      const upload = host.upload(source, path, { sha256: sha256(bytes(8 * MB)), signal: controller.signal });
      const data = bytes(8 * MB);
      source.write(data.subarray(0, 3 * MB));
      await vi.waitFor(
        async () => {
          const { stdout } = await server.ssh("cat /srv/app/shared/.upload.* 2>/dev/null | wc -c");
          expect(Number(stdout)).toBeGreaterThan(0);
        },
        { timeout: 10_000, interval: 50 },
      );
      if (cut === "kill the ssh client") controller.abort();
      else {
        const { stderr } = await run("ssh", [
          "-F",
          hosts.sshConfig,
          "-o",
          `ControlPath=${controlDir}/master`,
          "-O",
          "check",
          "remote",
        ]);
        process.kill(Number(/pid=(\d+)/.exec(stderr)?.[1]), "SIGKILL");
      }
      const error = await upload.catch((e: unknown) => e);
      expect(error).toMatchObject({
        code: cut === "kill the ssh client" ? "E_ABORTED" : "E_HOST_UNREACHABLE",
      });
      source.destroy();
      await vi.waitFor(
        async () => {
          expect((await server.ssh("ls -A /srv/app/shared")).stdout).toBe("config.bin\n");
        },
        { timeout: 10_000, interval: 100 },
      );
      expect((await server.ssh(`cat ${path}`)).stdout).toBe("old");
    }
    // The next operation opens a new master and works.
    expect((await host.readFile(path))?.toString()).toBe("old");
    expect(host.stats.handshakes).toBe(2);
  }, 60_000);

  it("runs commands as root through sudo -n for a non-root login (Capistrano's `as`)", async () => {
    const plain = sshHost({ host: server.address, user: "deploy", sshConfig: hosts.sshConfig });
    const root = sshHost({ host: server.address, user: "deploy", sudo: true, sshConfig: hosts.sshConfig });
    try {
      expect((await plain.exec("id -un")).stdout.toString()).toBe("deploy\n");
      // sudo resolves the host's own name (no "unable to resolve host" on stderr); the login
      // user owns its home, as on a server.
      const asRoot = await root.exec("id -un; stat -c %U /home/deploy");
      expect(asRoot.stdout.toString()).toBe("root\ndeploy\n");
      expect(asRoot.stderr.toString()).toBe("");
    } finally {
      await plain.close();
      await root.close();
    }
  });

  it("fails with E_HOST_UNREACHABLE for an unknown host key or an unreachable address, never prompting", async () => {
    const forged = join(hosts.dir, "forged_known_hosts");
    await writeFile(
      forged,
      `${server.address} ${hosts.hosts[0]?.hostKey.replace(/AAAA\S+/, "AAAAC3NzaC1lZDI1NTE5AAAAIBV/gLxJ4xa8ik5wDd6CSXm4gF5zvYOq7tRo7Ta5pxOM")}\n`,
    );
    const spoofed = sshHost({
      host: server.address,
      sshConfig: hosts.sshConfig,
      sshOptions: { UserKnownHostsFile: forged },
    });
    const nowhere = sshHost({ host: "198.18.213.250", sshConfig: hosts.sshConfig, connectTimeoutS: 2 });
    const [a, b] = await Promise.all([
      spoofed.exec("true").catch((e: unknown) => e),
      nowhere.exec("true").catch((e: unknown) => e),
    ]);
    expect(isDeployKitError(a, "E_HOST_UNREACHABLE")).toBe(true);
    expect((a as Error).message).toMatch(/Host key verification failed|HOST IDENTIFICATION HAS CHANGED/);
    expect(isDeployKitError(b, "E_HOST_UNREACHABLE")).toBe(true);
    await spoofed.close();
    await nowhere.close();
  });

  it("refuses a malformed host, user or port before running anything", () => {
    for (const options of [
      { host: "-oProxyCommand=x" },
      { host: "a b" },
      { host: "h", port: 0 },
      { host: "h", user: "a@b" },
    ]) {
      expect(() => sshHost(options)).toThrow(expect.objectContaining({ code: "E_INVALID_INPUT" }));
    }
  });
});
