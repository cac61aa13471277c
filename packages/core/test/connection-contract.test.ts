import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { promisify } from "node:util";
import { type HostConnection, isDeployKitError, localHost, sshHost } from "@deploykit/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestHosts, type TestHosts } from "../../../test-support/ssh-hosts/index.mjs";

const run = promisify(execFile);
const sha256 = (data: Buffer | string) => createHash("sha256").update(data).digest("hex");

// The same operations, the same answers: the local connection and the SSH one (on a real server).
let hosts: TestHosts;
const connections: Record<string, { host: HostConnection; root: string }> = {};
beforeAll(async () => {
  hosts = await startTestHosts({ hosts: ["contract"] });
  connections.local = { host: localHost(), root: await mkdtemp(join(tmpdir(), "dk-contract-")) };
  connections.ssh = {
    host: sshHost({ host: "contract", sshConfig: hosts.sshConfig }),
    root: "/srv/contract",
  };
}, 300_000);
afterAll(async () => {
  await connections.ssh?.host.close();
  if (connections.local) await rm(connections.local.root, { recursive: true, force: true });
  await hosts?.stop();
});

describe.each(["local", "ssh"])("%s connection", (kind) => {
  const the = () => connections[kind] as { host: HostConnection; root: string };

  it("runs a POSIX sh script with quoted arguments, stdin, exit code and streamed stdout", async () => {
    const { host } = the();
    const result = await host.exec('printf "%s|" "$@"; cat; exit 7', {
      args: ["a b", "it's", "$HOME"],
      input: "in",
    });
    expect(result).toMatchObject({ exitCode: 7, stderr: "" });
    expect(result.stdout.toString()).toBe("a b|it's|$HOME|in");
    const sink = new PassThrough();
    const seen: Buffer[] = [];
    sink.on("data", (chunk: Buffer) => seen.push(chunk));
    const streamed = await host.exec("seq 1 3 2>/dev/null || printf '1\\n2\\n3\\n'", { stdout: sink });
    expect(streamed.stdout.length).toBe(0);
    expect(Buffer.concat(seen).toString()).toBe("1\n2\n3\n");
  });

  it("writes small files atomically and reads them back; absent files read as undefined", async () => {
    const { host, root } = the();
    const path = join(root, "files", "state.json");
    expect(await host.readFile(path)).toBeUndefined();
    await host.writeFile(path, '{"a":1}\n');
    await host.writeFile(path, '{"a":2}\n', 0o600);
    expect((await host.readFile(path))?.toString()).toBe('{"a":2}\n');
    expect(await host.list(join(root, "files"))).toEqual(["state.json"]);
    expect(await host.list(join(root, "nowhere"))).toBeUndefined();
  });

  it("creates a lock file only once, reports its holder, and removes it only for its holder", async () => {
    const { host, root } = the();
    const lock = join(root, ".deploykit", "lock");
    const attempts = await Promise.all(
      Array.from({ length: 6 }, (_, i) => host.createExclusive(lock, JSON.stringify({ pid: i }))),
    );
    const winners = attempts.filter((a) => a.created);
    expect(winners).toHaveLength(1);
    const holder = (await host.readFile(lock))?.toString() as string;
    for (const lost of attempts.filter((a) => !a.created)) expect(lost).toEqual({ created: false, holder });
    expect(await host.removeIfHolds(lock, '{"pid":99}')).toBe(false);
    expect(await host.removeIfHolds(lock, holder)).toBe(true);
    expect(await host.readFile(lock)).toBeUndefined();
    expect(await host.list(join(root, ".deploykit"))).toEqual([]);
  });

  it("switches a symlink atomically, renames, creates and removes dirs", async () => {
    const { host, root } = the();
    await host.mkdirs([join(root, "releases", "1"), join(root, "releases", "2")]);
    await host.switchSymlink(join(root, "current"), "releases/1");
    await host.switchSymlink(join(root, "current"), "releases/2");
    expect(await host.readlink(join(root, "current"))).toBe("releases/2");
    expect(await host.readlink(join(root, "releases"))).toBeUndefined();
    await host.rename(join(root, "releases", "1"), join(root, "releases", "1b"));
    expect((await host.list(join(root, "releases")))?.sort()).toEqual(["1b", "2"]);
    await host.remove([join(root, "releases"), join(root, "never-there")]);
    expect(await host.list(join(root, "releases"))).toBeUndefined();
  });

  it("uploads a stream verified by sha256 on the host; a wrong hash leaves nothing at the path", async () => {
    const { host, root } = the();
    const data = Buffer.from("artifact bytes ".repeat(1000));
    const path = join(root, "cache", "a.tgz");
    let progress = 0;
    await host.upload(data, path, { sha256: sha256(data), onProgress: (b) => (progress = b) });
    expect(progress).toBe(data.length);
    expect((await host.readFile(path))?.equals(data)).toBe(true);
    const other = join(root, "cache", "b.tgz");
    const error = await host
      .upload(data, other, { sha256: sha256("something else") })
      .catch((e: unknown) => e);
    expect(isDeployKitError(error, "E_CHECKSUM_MISMATCH")).toBe(true);
    expect(await host.list(join(root, "cache"))).toEqual(["a.tgz"]);
  });

  it("unpacks a .tgz on the host with owners not restored and setuid bits cleared", async () => {
    const { host, root } = the();
    const work = await mkdtemp(join(tmpdir(), "dk-tgz-"));
    try {
      await mkdir(join(work, "app", "bin"), { recursive: true });
      await writeFile(join(work, "app", "bin", "run"), "#!/bin/sh\necho hi\n", { mode: 0o4755 });
      await writeFile(join(work, "app", "Procfile"), "web: bin/run\n");
      await run("tar", [
        "-czf",
        join(work, "a.tgz"),
        "--owner=4242",
        "--group=4242",
        "-C",
        join(work, "app"),
        ".",
      ]);
      const bytes = await readFile(join(work, "a.tgz"));
      await host.upload(bytes, join(root, "cache", "x.tgz"), { sha256: sha256(bytes) });
      await host.extractTgz(join(root, "cache", "x.tgz"), join(root, "staging"));
      const seen = await host.exec('cd "$1" && stat -c "%a %u %n" bin/run Procfile && ./bin/run', {
        args: [join(root, "staging")],
      });
      const [run1, procfile, output] = seen.stdout.toString().trim().split("\n");
      expect(run1).toMatch(/^755 \d+ bin\/run$/);
      expect(run1).not.toContain(" 4242 ");
      expect(procfile).toMatch(/^6[04]4 \d+ Procfile$/);
      expect(output).toBe("hi");
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  });
});
