import type { Duplex, Readable, Writable } from "node:stream";

/** Options for {@link HostConnection.exec}. */
export interface ExecOptions {
  /** Positional parameters: `$1`, `$2`... inside the script (passed quoted, never interpolated). */
  args?: readonly string[];
  /** Bytes for the script's stdin: a buffer, a string or a stream (streamed, never buffered whole). */
  input?: Readable | Uint8Array | string;
  /** Receives stdout as it arrives instead of it being collected into {@link ExecResult.stdout}. */
  stdout?: Writable;
  /** Kills the script (locally) or the ssh client (remote: the server sees the channel close). */
  signal?: AbortSignal;
}

/** What a script run by {@link HostConnection.exec} left behind. A non-zero exit is not thrown. */
export interface ExecResult {
  exitCode: number;
  /** Collected stdout (empty when {@link ExecOptions.stdout} was given). */
  stdout: Buffer;
  stderr: string;
}

/** Options for {@link HostConnection.upload}. */
export interface UploadOptions {
  /** Lowercase hex sha256 the bytes must have; checked ON THE HOST (`sha256sum`) before the rename. */
  sha256: string;
  /** File mode of the result. Default 0o644. */
  mode?: number;
  /** Called with the bytes sent so far, as they leave. */
  onProgress?: (bytes: number) => void;
  signal?: AbortSignal;
}

/** Counters of what a connection did, for benches and tests. */
export interface ConnectionStats {
  /** Operations that crossed to the host: one per `exec`, `upload`, `readFile`... (each is one round trip). */
  roundTrips: number;
  /** SSH master connections opened (TCP connection + key exchange + auth); 0 for the local host. */
  handshakes: number;
}

/**
 * The one door to a host: every host-side effect of deploykit goes through it, as SSHKit's
 * backends do for Capistrano. {@link localHost} acts on this machine with `fs` and
 * `child_process`; {@link sshHost} drives a server over the system's OpenSSH client, each
 * operation being ONE round trip (one `ssh` exec of a short POSIX sh script from the
 * remote-command catalogue, over one multiplexed master connection).
 *
 * Paths are absolute paths on the host. Every write is atomic: the new content goes to a temp
 * file in the same directory and is renamed into place, so a lost connection leaves the old
 * file or the new one, never half of one.
 */
export interface HostConnection {
  /** `local`, or `user@server:port` for SSH: names the host in events and errors. */
  readonly name: string;
  readonly kind: "local" | "ssh";
  readonly stats: ConnectionStats;
  /**
   * Runs a POSIX `sh` script on the host (dash on Debian/Ubuntu: no bashisms), with `args` as
   * `$1..$n`. @throws `E_HOST_UNREACHABLE` when the host cannot be reached (ssh exit 255).
   */
  exec(script: string, options?: ExecOptions): Promise<ExecResult>;
  /**
   * Streams bytes to `path` (parent dirs created) through a temp file, verifies their sha256 on
   * the host and renames into place. @throws `E_CHECKSUM_MISMATCH` (nothing is left at `path`),
   * `E_HOST_UNREACHABLE`.
   */
  upload(source: Readable | Uint8Array, path: string, options: UploadOptions): Promise<void>;
  /** A small file's bytes, or `undefined` when it does not exist. */
  readFile(path: string): Promise<Buffer | undefined>;
  /** Replaces a small file atomically (temp file + rename; parent dirs created). `mode` default 0o644. */
  writeFile(path: string, data: Uint8Array | string, mode?: number): Promise<void>;
  /**
   * Creates `path` holding `data` only if nothing is there (fully written first, then linked into
   * place with `ln`, which cannot overwrite): the building block of the host lock.
   * @returns `{ created: true }`, or `{ created: false, holder }` with what the existing file holds.
   */
  createExclusive(
    path: string,
    data: string,
  ): Promise<{ created: true } | { created: false; holder?: string }>;
  /** Removes `path` only if it still holds exactly `data` (releasing a lock that is ours). */
  removeIfHolds(path: string, data: string): Promise<boolean>;
  /** Points the symlink `path` at `target` atomically (`ln -s` a temp link, `mv -T` over). */
  switchSymlink(path: string, target: string): Promise<void>;
  /** The target of a symlink, or `undefined` when `path` is not one. */
  readlink(path: string): Promise<string | undefined>;
  /** `mkdir -p` each path. */
  mkdirs(paths: readonly string[]): Promise<void>;
  /** `rm -rf` each path (absent ones are fine). */
  remove(paths: readonly string[]): Promise<void>;
  /** Renames `from` to `to` (rename(2): never moves into a directory). */
  rename(from: string, to: string): Promise<void>;
  /** Names in a directory (dotfiles included), or `undefined` when it does not exist. */
  list(dir: string): Promise<string[] | undefined>;
  /**
   * A byte stream to TCP `address`:`port` as seen FROM THE HOST (its loopback is the server's):
   * a socket locally, an `ssh -W` channel through the master over SSH (sshd's TCP forwarding,
   * on by default; nothing needed on the server). Health probes of remote apps go through it.
   * A refused or failed connection is emitted as the stream's `error`.
   */
  connect(address: string, port: number): Promise<Duplex>;
  /** Unpacks a gzip tar on the host into `dir` (created), owners not restored, modes masked to 0o777. */
  extractTgz(archive: string, dir: string): Promise<void>;
  /** Ends the connection (the SSH master) and removes its private files. Safe to call twice. */
  close(): Promise<void>;
}
