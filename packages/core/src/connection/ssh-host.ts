import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Duplex, Readable, Transform } from "node:stream";
import { DeployKitError, throwIfAborted } from "../errors";
import type { ConnectionStats, ExecOptions, ExecResult, HostConnection } from "./connection";
import { checksumMismatch, hostUnreachable, remoteFailed } from "./connection-errors";
import { REMOTE_COMMANDS, type RemoteCommand, shQuote } from "./remote-commands";
import { spawnChild } from "./spawn-child";

/** Options for {@link sshHost}. */
export interface SshHostOptions {
  /** Server name, address or `Host` alias of the ssh config. */
  host: string;
  /** Login user (`ssh -l`); default: what the ssh config says, else the local user name. */
  user?: string;
  /** TCP port (`ssh -p`); default: the ssh config's, else 22. */
  port?: number;
  /** Private key file (`ssh -i`, with `IdentitiesOnly=yes`); default: the agent and the config's keys. */
  identityFile?: string;
  /** An ssh_config file used instead of `~/.ssh/config` (`ssh -F`). */
  sshConfig?: string;
  /**
   * Run every command as another user through `sudo -n -u <user> --` (like Capistrano's `as`):
   * `true` means root. The login user needs password-less sudo for it (`-n` never prompts).
   */
  sudo?: boolean | string;
  /** Seconds to wait for the TCP connection and the SSH handshake (`ConnectTimeout`). Default 10. */
  connectTimeoutS?: number;
  /** Seconds the master connection stays up after the last command (`ControlPersist`). Default 60. */
  controlPersistS?: number;
  /** More `-o` options, e.g. `{ ProxyJump: "bastion" }`. Host key checking is left to the config. */
  sshOptions?: Record<string, string>;
  /**
   * Directory for the master connection's socket (`<dir>/master`); it must exist and be private
   * to this user. Default: a fresh private temp dir, removed by `close()`.
   */
  controlDir?: string;
  /** The OpenSSH client binary. Default `ssh`. */
  sshCommand?: string;
}

const invalid = (message: string) =>
  new DeployKitError("E_INVALID_INPUT", message, {
    hint: "Pass the server as sshHost({ host, user?, port?, identityFile? }), as you would to ssh.",
  });

function check(options: SshHostOptions): void {
  if (!options.host || /[\s]/.test(options.host) || options.host.startsWith("-")) {
    throw invalid(`"${options.host}" is not a host name (no spaces, no leading "-").`);
  }
  if (
    options.user !== undefined &&
    (!options.user || /[\s@]/.test(options.user) || options.user.startsWith("-"))
  ) {
    throw invalid(`"${options.user}" is not a user name.`);
  }
  if (
    options.port !== undefined &&
    !(Number.isInteger(options.port) && options.port > 0 && options.port < 65536)
  ) {
    throw invalid(`port must be a whole number from 1 to 65535 (got ${options.port}).`);
  }
}

/**
 * A server reached over SSH with the system's OpenSSH client, so the user's ssh config, agent,
 * `ProxyJump` bastions and `known_hosts` apply as with `ssh` itself. One multiplexed master
 * connection per host (`ControlMaster=auto`, `ControlPersist`, its socket in a private temp dir):
 * after the first handshake each operation costs one channel, not one TCP + auth handshake.
 * `BatchMode=yes` (never a prompt) and `ConnectTimeout`; host keys are checked as the config
 * says (never turned off here). Each operation is one `ssh` exec of a script from the
 * remote-command catalogue, which needs only `sh`, coreutils, `tar` and `gzip` on the server.
 *
 * @throws `E_INVALID_INPUT` for a malformed host, user or port (before anything runs).
 * @example
 * ```ts
 * const host = sshHost({ host: "web1.example", user: "deploy", sudo: "app" })
 * try { await install({ ..., host }) } finally { await host.close() }
 * ```
 */
export function sshHost(options: SshHostOptions): HostConnection {
  check(options);
  const ssh = options.sshCommand ?? "ssh";
  const stats: ConnectionStats = { roundTrips: 0, handshakes: 0 };
  const name = `${options.user ? `${options.user}@` : ""}${options.host}${options.port ? `:${options.port}` : ""}`;
  let controlDir: string | undefined;
  let master: Promise<void> | undefined;

  const baseArgs = (dir: string) => [
    ...(options.sshConfig ? ["-F", options.sshConfig] : []),
    ...(options.port ? ["-p", String(options.port)] : []),
    ...(options.user ? ["-l", options.user] : []),
    ...(options.identityFile ? ["-i", options.identityFile, "-o", "IdentitiesOnly=yes"] : []),
    ...Object.entries(options.sshOptions ?? {}).flatMap(([key, value]) => ["-o", `${key}=${value}`]),
    ...["-o", "BatchMode=yes", "-o", `ConnectTimeout=${options.connectTimeoutS ?? 10}`],
    ...["-o", "ServerAliveInterval=5", "-o", "ServerAliveCountMax=3"],
    ...["-o", "ControlMaster=auto", "-o", `ControlPath=${join(dir, "master")}`],
    ...["-o", `ControlPersist=${options.controlPersistS ?? 60}`, "-T"],
  ];
  const sudo = options.sudo === true ? "root" : options.sudo || undefined;
  const remoteCommand = (script: string, args: readonly string[]) =>
    [...(sudo ? ["sudo", "-n", "-u", shQuote(sudo), "--"] : []), "sh", "-c", shQuote(script), "sh"]
      .concat(args.map(shQuote))
      .join(" ");

  /** Opens the master connection once (again if it went away); its handshake is counted. */
  const ensureMaster = async (): Promise<string> => {
    controlDir ??= options.controlDir ?? mkdtempSync(join(tmpdir(), "deploykit-ssh-"));
    const dir = controlDir;
    if (master && !existsSync(join(dir, "master"))) master = undefined;
    master ??= (async () => {
      // After a failure: is the master still there? (`-O check` asks the local socket only.)
      if (existsSync(join(dir, "master"))) {
        const check = await spawnChild(ssh, [...baseArgs(dir), "-O", "check", "--", options.host]);
        if (check.exitCode === 0) return;
      }
      // `-N`: no session, no remote shell. With ControlPersist the client returns once the
      // master is authenticated and listening (exit 0), or fails with 255.
      const result = await spawnChild(ssh, [...baseArgs(dir), "-N", "--", options.host]);
      if (result.exitCode !== 0) throw hostUnreachable(name, result.stderr);
      stats.handshakes++;
    })();
    try {
      await master;
    } catch (error) {
      master = undefined;
      throw error;
    }
    return dir;
  };

  const exec = async (script: string, execOptions: ExecOptions = {}): Promise<ExecResult> => {
    const dir = await ensureMaster();
    stats.roundTrips++;
    const args = [...baseArgs(dir), "--", options.host, remoteCommand(script, execOptions.args ?? [])];
    const result = await spawnChild(ssh, args, execOptions);
    throwIfAborted(execOptions.signal);
    if (result.exitCode === 255) {
      master = undefined; // the master may be gone: the next operation checks, and reopens it if so
      throw hostUnreachable(name, result.stderr);
    }
    return result;
  };

  /** Runs a catalogue command; exit codes in `expected` are answers, any other non-zero fails. */
  const command = async (
    which: RemoteCommand,
    args: readonly string[],
    expected: readonly number[] = [0],
    execOptions: Omit<ExecOptions, "args"> = {},
  ) => {
    const result = await exec(REMOTE_COMMANDS[which], { ...execOptions, args });
    if (!expected.includes(result.exitCode)) throw remoteFailed(name, which, result.exitCode, result.stderr);
    return result;
  };
  const mode = (value: number | undefined) => (value ?? 0o644).toString(8);
  /** Sent with every stdin write, so the host places nothing a cut connection left short. */
  const byteLength = (data: Uint8Array | string) =>
    String(typeof data === "string" ? Buffer.byteLength(data) : data.byteLength);

  return {
    name,
    kind: "ssh",
    stats,
    exec,
    async upload(source, path, uploadOptions) {
      let sent = 0;
      const counting = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          sent += chunk.length;
          uploadOptions.onProgress?.(sent);
          done(null, chunk);
        },
      });
      const input = (source instanceof Uint8Array ? Readable.from([source]) : source).pipe(counting);
      if (source instanceof Readable) source.once("error", (error) => counting.destroy(error));
      const result = await command("upload", [path, uploadOptions.sha256, mode(uploadOptions.mode)], [0, 4], {
        input,
        ...(uploadOptions.signal ? { signal: uploadOptions.signal } : {}),
      });
      if (result.exitCode === 4)
        throw checksumMismatch(path, uploadOptions.sha256, result.stdout.toString().trim());
    },
    async readFile(path) {
      const result = await command("readFile", [path], [0, 3]);
      return result.exitCode === 3 ? undefined : result.stdout;
    },
    async writeFile(path, data, fileMode) {
      await command("writeFile", [path, mode(fileMode), byteLength(data)], [0], { input: data });
    },
    async createExclusive(path, data) {
      const result = await command("createExclusive", [path, byteLength(data)], [0, 5], {
        input: data,
      });
      if (result.exitCode === 0) return { created: true };
      const holder = result.stdout.toString();
      return { created: false, ...(holder ? { holder } : {}) };
    },
    async removeIfHolds(path, data) {
      return (await command("removeIfHolds", [path, data.replace(/\n+$/, "")], [0, 3])).exitCode === 0;
    },
    async switchSymlink(path, target) {
      await command("switchSymlink", [path, target]);
    },
    async readlink(path) {
      const result = await command("readlink", [path], [0, 3]);
      return result.exitCode === 3 ? undefined : result.stdout.toString().replace(/\n$/, "");
    },
    async mkdirs(paths) {
      if (paths.length > 0) await command("mkdirs", paths);
    },
    async remove(paths) {
      if (paths.length > 0) await command("remove", paths);
    },
    async rename(from, to) {
      await command("rename", [from, to]);
    },
    async list(dir) {
      const result = await command("list", [dir], [0, 3]);
      if (result.exitCode === 3) return undefined;
      return result.stdout.toString().split("\0").filter(Boolean);
    },
    async connect(address, port) {
      const dir = await ensureMaster();
      stats.roundTrips++;
      const child = spawn(ssh, [...baseArgs(dir), "-W", `${address}:${port}`, "--", options.host], {
        stdio: ["pipe", "pipe", "pipe"],
      });
      // A plain Duplex over the child's pipes: its destroy (the HTTP client closing the socket)
      // ends the ssh client, never an unhandled error on a pipe.
      child.stdin.on("error", () => undefined);
      child.stdout.on("error", () => undefined);
      const stream = new Duplex({
        read: () => child.stdout.resume(),
        write: (chunk, _encoding, done) => child.stdin.write(chunk, () => done()),
        final: (done) => child.stdin.end(() => done()),
        destroy: (error, done) => {
          if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
          done(error);
        },
      });
      child.stdout.on("data", (chunk: Buffer) => {
        if (!stream.push(chunk)) child.stdout.pause();
      });
      // The HTTP client listens for errors while it uses the stream; one after it let go is moot.
      stream.on("error", () => undefined);
      let stderr = "";
      child.stderr.on("data", (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      child.on("error", (error) => stream.destroy(error));
      child.on("close", (code) => {
        // Say it like a socket would. Without a master ssh prints "channel 0: open failed: connect
        // failed: Connection refused"; through the master only "Stdio forwarding request failed: ...".
        const why =
          /open failed: (?:connect failed: )?(.*)/.exec(stderr)?.[1]?.trim() ??
          (/Stdio forwarding/.test(stderr) ? "failed (refused or unreachable)" : undefined);
        // The stream ends only now, so a refused channel is that error, not a bare "socket hang up".
        if (code !== 0 && why) stream.destroy(new Error(`connect ${why} ${address}:${port} (from ${name})`));
        else if (code === 255) stream.destroy(hostUnreachable(name, stderr));
        else stream.push(null);
      });
      return stream;
    },
    async extractTgz(archive, dir) {
      await command("extractTgz", [archive, dir]);
    },
    async close() {
      const dir = controlDir;
      if (!dir) return;
      controlDir = undefined;
      master = undefined;
      if (existsSync(join(dir, "master"))) {
        await spawnChild(ssh, [...baseArgs(dir), "-O", "exit", "--", options.host]);
      }
      if (!options.controlDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
