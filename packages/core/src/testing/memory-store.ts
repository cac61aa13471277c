import { Readable } from "node:stream";
import { buffer } from "node:stream/consumers";
import type { ArtifactStore, GetOptions, ObjectInfo, PutOptions } from "../store/artifact-store";
import { toReadable } from "../store/body";
import { assertStoreKey, objectExists, objectNotFound } from "../store/keys";

/** A store held in memory, for unit tests: same contract as the filesystem and S3 stores. */
export interface MemoryStore extends ArtifactStore {
  /** The raw objects, for tests that inspect or tamper with stored bytes. */
  readonly objects: Map<string, { body: Buffer; metadata?: Record<string, string> }>;
}

/**
 * Creates an empty in-memory {@link ArtifactStore}. Objects become visible only once fully
 * received, like the real stores.
 *
 * @example
 * ```ts
 * const store = createMemoryStore()
 * await publish(pkg, { store })
 * store.objects.get("apps/web/releases/1.0.0/manifest.json")
 * ```
 */
export function createMemoryStore(): MemoryStore {
  const objects: MemoryStore["objects"] = new Map();
  const location = "memory://";
  const find = (key: string) => {
    assertStoreKey(key);
    return objects.get(key);
  };
  return {
    location,
    objects,
    async put(key: string, body: Readable | Uint8Array | string, opts: PutOptions = {}) {
      assertStoreKey(key);
      opts.signal?.throwIfAborted();
      const bytes = await buffer(toReadable(body));
      opts.signal?.throwIfAborted();
      if (opts.ifAbsent && objects.has(key)) throw objectExists(location, key);
      objects.set(key, { body: bytes, ...(opts.metadata ? { metadata: { ...opts.metadata } } : {}) });
    },
    async get(key: string, opts: GetOptions = {}) {
      const object = find(key);
      if (!object) throw objectNotFound(location, key);
      const { start = 0, end = object.body.length - 1 } = opts.range ?? {};
      return Readable.from([object.body.subarray(start, end + 1)]);
    },
    async head(key: string): Promise<ObjectInfo | undefined> {
      const object = find(key);
      return (
        object && { key, size: object.body.length, ...(object.metadata ? { metadata: object.metadata } : {}) }
      );
    },
    async list(prefix: string) {
      return [...objects.entries()]
        .filter(([key]) => key.startsWith(prefix))
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([key, o]) => ({ key, size: o.body.length }));
    },
    async delete(key: string) {
      assertStoreKey(key);
      objects.delete(key);
    },
  };
}
