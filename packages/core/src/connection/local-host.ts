import { randomUUID } from "node:crypto";
import { createWriteStream } from "node:fs";
import {
  chmod,
  link,
  mkdir,
  readdir,
  readFile,
  readlink,
  rename,
  rm,
  symlink,
  writeFile,
} from "node:fs/promises";
import { createConnection } from "node:net";
import { basename, dirname, join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { hashingStream } from "../hashing";
import { extractRelease } from "../host/extract";
import type { ConnectionStats, ExecOptions, HostConnection, UploadOptions } from "./connection";
import { checksumMismatch } from "./connection-errors";
import { spawnChild } from "./spawn-child";

const absent = (error: unknown) => {
  const code = (error as NodeJS.ErrnoException).code;
  return code === "ENOENT" || code === "ENOTDIR" || code === "EINVAL";
};

const tempBeside = (path: string, kind: string) => join(dirname(path), `.${kind}.${randomUUID()}`);

/**
 * The host deploykit runs on (the default connection): the same operations as {@link sshHost},
 * done with `fs` and `child_process` directly, at today's speed. `extractTgz` also runs the
 * archive safety scan (as install always did locally).
 */
export function localHost(): HostConnection {
  const stats: ConnectionStats = { roundTrips: 0, handshakes: 0 };
  const counted =
    <A extends unknown[], R>(op: (...args: A) => Promise<R>) =>
    (...args: A): Promise<R> => {
      stats.roundTrips++;
      return op(...args);
    };
  const writeAtomic = async (path: string, data: Uint8Array | string, mode: number) => {
    await mkdir(dirname(path), { recursive: true });
    const tmp = tempBeside(path, "write");
    try {
      await writeFile(tmp, data, { mode });
      await chmod(tmp, mode);
      await rename(tmp, path);
    } finally {
      await rm(tmp, { force: true });
    }
  };
  return {
    name: "local",
    kind: "local",
    stats,
    exec: counted((script: string, options: ExecOptions = {}) =>
      spawnChild("sh", ["-c", script, "sh", ...(options.args ?? [])], options),
    ),
    upload: counted(async (source: Readable | Uint8Array, path: string, options: UploadOptions) => {
      await mkdir(dirname(path), { recursive: true });
      const tmp = tempBeside(path, "upload");
      try {
        const hashing = hashingStream(options.onProgress);
        const input = source instanceof Uint8Array ? Readable.from([source]) : source;
        await pipeline(input, hashing, createWriteStream(tmp, { mode: options.mode ?? 0o644 }), {
          ...(options.signal ? { signal: options.signal } : {}),
        });
        if (hashing.digest() !== options.sha256)
          throw checksumMismatch(path, options.sha256, hashing.digest());
        await chmod(tmp, options.mode ?? 0o644);
        await rename(tmp, path);
      } finally {
        await rm(tmp, { force: true });
      }
    }),
    readFile: counted((path: string) =>
      readFile(path).catch((error: unknown) => {
        if (absent(error)) return undefined;
        throw error;
      }),
    ),
    writeFile: counted((path: string, data: Uint8Array | string, mode = 0o644) =>
      writeAtomic(path, data, mode),
    ),
    createExclusive: counted(async (path: string, data: string) => {
      await mkdir(dirname(path), { recursive: true });
      const tmp = tempBeside(path, "exclusive");
      try {
        await writeFile(tmp, data);
        await link(tmp, path);
        return { created: true } as const;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
        const holder = await readFile(path, "utf8").catch(() => undefined);
        return { created: false, ...(holder === undefined ? {} : { holder }) } as const;
      } finally {
        await rm(tmp, { force: true });
      }
    }),
    removeIfHolds: counted(async (path: string, data: string) => {
      const text = await readFile(path, "utf8").catch(() => undefined);
      if (text === undefined || text.replace(/\n+$/, "") !== data.replace(/\n+$/, "")) return false;
      await rm(path, { force: true });
      return true;
    }),
    switchSymlink: counted(async (path: string, target: string) => {
      const tmp = join(dirname(path), `${basename(path)}.switch.${randomUUID()}`);
      await symlink(target, tmp);
      try {
        await rename(tmp, path);
      } catch (error) {
        await rm(tmp, { force: true });
        throw error;
      }
    }),
    readlink: counted((path: string) => readlink(path).catch(() => undefined)),
    mkdirs: counted(async (paths: readonly string[]) => {
      for (const path of paths) await mkdir(path, { recursive: true });
    }),
    remove: counted(async (paths: readonly string[]) => {
      for (const path of paths) await rm(path, { recursive: true, force: true });
    }),
    rename: counted((from: string, to: string) => rename(from, to)),
    list: counted((dir: string) =>
      readdir(dir).catch((error: unknown) => {
        if (absent(error)) return undefined;
        throw error;
      }),
    ),
    connect: async (address: string, port: number) => createConnection({ host: address, port }),
    extractTgz: counted((archive: string, dir: string) => extractRelease(archive, dir)),
    close: async () => undefined,
  };
}
