import { randomUUID } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { link, mkdir, readdir, rename, rm, stat } from "node:fs/promises";
import { dirname, join, relative, resolve, sep } from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { pathToFileURL } from "node:url";
import type { ArtifactStore, GetOptions, ObjectInfo, PutOptions } from "./artifact-store";
import { toReadable } from "./body";
import { assertStoreKey, objectExists, objectNotFound } from "./keys";

/** Options for {@link createFsStore}. */
export interface FsStoreOptions {
  /** The store's root directory; created on first write. */
  dir: string;
}

const TMP_DIR = ".deploykit-tmp";

const isCode = (error: unknown, code: string) => (error as NodeJS.ErrnoException)?.code === code;

/**
 * The embedded store: a directory laid out exactly like the bucket. Writes go to a temp file
 * on the same filesystem and are renamed (or, create-only, hard-linked) into place, so a reader
 * never sees a partial object.
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

  return {
    location,

    async put(key: string, body: Readable | Uint8Array | string, opts: PutOptions = {}): Promise<void> {
      const target = pathOf(key);
      const tmpDir = join(root, TMP_DIR);
      await mkdir(tmpDir, { recursive: true });
      await mkdir(dirname(target), { recursive: true });
      const tmp = join(tmpDir, randomUUID());
      try {
        await pipeline(toReadable(body), createWriteStream(tmp, { flags: "wx" }), { signal: opts.signal });
        if (!opts.ifAbsent) return await rename(tmp, target);
        try {
          await link(tmp, target);
        } catch (error) {
          throw isCode(error, "EEXIST") ? objectExists(location, key, error) : error;
        }
      } finally {
        await rm(tmp, { force: true });
      }
    },

    async get(key: string, opts: GetOptions = {}): Promise<Readable> {
      const path = pathOf(key);
      const info = await stat(path).catch((error) => {
        throw isCode(error, "ENOENT") || isCode(error, "ENOTDIR")
          ? objectNotFound(location, key, error)
          : error;
      });
      if (!info.isFile()) throw objectNotFound(location, key);
      const { start, end } = opts.range ?? {};
      return createReadStream(path, { start, end, signal: opts.signal });
    },

    async head(key: string): Promise<ObjectInfo | undefined> {
      const info = await stat(pathOf(key)).catch((error) => {
        if (isCode(error, "ENOENT") || isCode(error, "ENOTDIR")) return undefined;
        throw error;
      });
      return info?.isFile() ? { key, size: info.size } : undefined;
    },

    async list(prefix: string): Promise<ObjectInfo[]> {
      const base = prefix.includes("/") ? prefix.slice(0, prefix.lastIndexOf("/")) : "";
      const dir = base ? pathOf(base) : root;
      const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch((error) => {
        if (isCode(error, "ENOENT") || isCode(error, "ENOTDIR")) return [];
        throw error;
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
      await rm(pathOf(key), { force: true });
    },
  };
}
