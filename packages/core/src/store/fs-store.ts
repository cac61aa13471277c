import { randomUUID } from "node:crypto";
import { constants, createReadStream, createWriteStream } from "node:fs";
import { access, link, mkdir, readdir, rename, rm, rmdir, stat } from "node:fs/promises";
import { dirname, join, relative, resolve, sep } from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { pathToFileURL } from "node:url";
import { isDeployKitError } from "../errors";
import { asHostError } from "../host/fs-errors";
import type { ArtifactStore, GetOptions, ObjectInfo, PutOptions } from "./artifact-store";
import { toReadable } from "./body";
import { assertStoreKey, objectExists, objectNotFound, storeAborted } from "./keys";

/** Options for {@link createFsStore}. */
export interface FsStoreOptions {
  /** The store's root directory; created on first write. */
  dir: string;
}

const TMP_DIR = ".deploykit-tmp";

const isCode = (error: unknown, code: string) => (error as NodeJS.ErrnoException)?.code === code;

/** What to do when the store's directory refuses a write (the host-root hints do not apply). */
const STORE_HINTS = {
  E_DISK_FULL:
    "Free space where the store directory lives (e.g. `deploykit prune --store <dir> --app <app> --keep-versions <n>`), then publish again. Nothing was published.",
  E_PERMISSION:
    "Run deploykit as a user that may write the store directory (or fix the ownership of the path named), then run it again. Nothing was published.",
  E_READ_ONLY: "Use a store directory on a writable file system, then run it again. Nothing was published.",
} as const;

/**
 * Removes `dir` and its parents while they are empty, up to (not including) `root`: a failed or
 * deleted write leaves no empty `releases/<version>/` behind.
 */
async function removeEmptyDirs(root: string, dir: string): Promise<void> {
  for (let d = dir; d.startsWith(`${root}${sep}`); d = dirname(d)) {
    try {
      await rmdir(d);
    } catch {
      return; // not empty (or already gone, or not ours to remove): stop there
    }
  }
}

/**
 * The embedded store: a directory laid out exactly like the bucket. Writes go to a temp file
 * on the same filesystem and are renamed (or, create-only, hard-linked) into place, so a reader
 * never sees a partial object; a failed write (or a delete) leaves no empty folder. The
 * directory refusing (full disk, no permission, read-only) is `E_DISK_FULL`, `E_PERMISSION`,
 * `E_READ_ONLY`; a write cancelled through its signal is `E_ABORTED`.
 *
 * @example
 * ```ts
 * const store = createFsStore({ dir: "/srv/deploykit-store" })
 * await publish(pkg, { store, channel: "production" })
 * ```
 */
export function createFsStore(options: FsStoreOptions): ArtifactStore {
  const root = resolve(options.dir);
  const location = pathToFileURL(root).href;
  const pathOf = (key: string) => {
    assertStoreKey(key);
    if (key.split("/")[0] === TMP_DIR) throw objectNotFound(location, key);
    return join(root, ...key.split("/"));
  };
  /** A failure as a typed error: `E_ABORTED` once `signal` fired, else the environment's code. */
  const failed = (error: unknown, doing: string, signal?: AbortSignal) => {
    if (signal?.aborted && !isDeployKitError(error)) return storeAborted(location, doing, signal.reason);
    return asHostError(error, `${doing} in ${location}`, STORE_HINTS);
  };

  return {
    location,

    async put(key: string, body: Readable | Uint8Array | string, opts: PutOptions = {}): Promise<void> {
      const target = pathOf(key);
      const tmpDir = join(root, TMP_DIR);
      const tmp = join(tmpDir, randomUUID());
      try {
        await mkdir(tmpDir, { recursive: true });
        await pipeline(toReadable(body), createWriteStream(tmp, { flags: "wx" }), { signal: opts.signal });
        // The key's folders are made only once its bytes are complete, and removed again when
        // the object cannot be placed: a failed write leaves the store as it was.
        for (let attempt = 1; ; attempt++) {
          await mkdir(dirname(target), { recursive: true });
          try {
            if (!opts.ifAbsent) return await rename(tmp, target);
            return await link(tmp, target);
          } catch (error) {
            await removeEmptyDirs(root, dirname(target));
            if (isCode(error, "EEXIST")) throw objectExists(location, key, error);
            // ENOENT: a delete removed the folder, empty for a moment, between mkdir and link.
            if (!isCode(error, "ENOENT") || attempt === 3) throw error;
          }
        }
      } catch (error) {
        throw failed(error, `writing ${key}`, opts.signal);
      } finally {
        await rm(tmp, { force: true });
      }
    },

    async get(key: string, opts: GetOptions = {}): Promise<Readable> {
      const path = pathOf(key);
      const info = await stat(path).catch((error) => {
        throw isCode(error, "ENOENT") || isCode(error, "ENOTDIR")
          ? objectNotFound(location, key, error)
          : failed(error, `reading ${key}`);
      });
      if (!info.isFile()) throw objectNotFound(location, key);
      const { start, end } = opts.range ?? {};
      // Checked here, so a file that may not be read fails this call, not the stream later (the
      // stream opens the file lazily: nothing is left open when a caller never reads it).
      await access(path, constants.R_OK).catch((error) => {
        throw failed(error, `reading ${key}`);
      });
      return createReadStream(path, { start, end, signal: opts.signal });
    },

    async head(key: string): Promise<ObjectInfo | undefined> {
      const info = await stat(pathOf(key)).catch((error) => {
        if (isCode(error, "ENOENT") || isCode(error, "ENOTDIR")) return undefined;
        throw failed(error, `reading ${key}`);
      });
      return info?.isFile() ? { key, size: info.size } : undefined;
    },

    async list(prefix: string): Promise<ObjectInfo[]> {
      const base = prefix.includes("/") ? prefix.slice(0, prefix.lastIndexOf("/")) : "";
      const dir = base ? pathOf(base) : root;
      const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch((error) => {
        if (isCode(error, "ENOENT") || isCode(error, "ENOTDIR")) return [];
        throw failed(error, `listing ${prefix}`);
      });
      const found: ObjectInfo[] = [];
      for (const entry of entries) {
        if (!entry.isFile()) continue;
        const key = relative(root, join(entry.parentPath, entry.name)).split(sep).join("/");
        if (!key.startsWith(prefix) || key.startsWith(`${TMP_DIR}/`)) continue;
        found.push({ key, size: (await stat(join(entry.parentPath, entry.name))).size });
      }
      return found.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    },

    async delete(key: string): Promise<void> {
      const path = pathOf(key);
      await rm(path, { force: true }).catch((error) => {
        throw failed(error, `deleting ${key}`);
      });
      await removeEmptyDirs(root, dirname(path));
    },
  };
}
