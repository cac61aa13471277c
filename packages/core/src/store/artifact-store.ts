import type { Readable } from "node:stream";

/** What a store knows about one object. */
export interface ObjectInfo {
  /** The object's key, relative to the store's root or prefix. */
  key: string;
  /** Size in bytes. */
  size: number;
  /** User metadata stored with the object, where the store keeps any (S3 does, the fs store does not). */
  metadata?: Record<string, string>;
}

/** A byte range, both ends inclusive (as in HTTP `Range: bytes=start-end`). */
export interface ByteRange {
  start: number;
  /** Last byte, inclusive; omitted means "to the end". */
  end?: number;
}

/** Options for {@link ArtifactStore.put}. */
export interface PutOptions {
  /** Fail with `E_OBJECT_EXISTS` instead of overwriting an existing object (create-only write). */
  ifAbsent?: boolean;
  /** Size in bytes, when known in advance (lets a store pick multipart part sizes). */
  contentLength?: number;
  /** Metadata to keep with the object, where the store supports it. */
  metadata?: Record<string, string>;
  /** Cancels the write; nothing is left under the key. */
  signal?: AbortSignal;
}

/** Options for {@link ArtifactStore.putFile}. */
export interface PutFileOptions extends PutOptions {
  /** Gets the bytes of the file stored so far (the S3 store reports each finished part). */
  onProgress?: (bytes: number) => void;
}

/** Options for {@link ArtifactStore.get}. */
export interface GetOptions {
  /** Read only these bytes. */
  range?: ByteRange;
  /** Cancels the read. */
  signal?: AbortSignal;
}

/**
 * Where releases live: a flat key space with `/`-separated keys, laid out the same in a
 * directory, an S3 bucket or memory (see DESIGN.md, "Store layout").
 *
 * Contract: a reader never sees a partially written object; `put` with `ifAbsent` never
 * overwrites; a missing key is `E_NOT_FOUND` from `get` and `undefined` from `head`.
 */
export interface ArtifactStore {
  /** A human-readable location, e.g. `file:///srv/store` or `s3://bucket/prefix`. */
  readonly location: string;
  /** Writes an object from a stream, a buffer or a string. */
  put(key: string, body: Readable | Uint8Array | string, options?: PutOptions): Promise<void>;
  /**
   * Writes the file at `path` (its size is the file's; `contentLength` is ignored), for stores
   * that read it more cheaply than a stream: the S3 store sends byte ranges of it as multipart
   * parts, each retried from the file, with no copy or hash of the bytes on the way. Stores
   * without it are given `createReadStream(path)` through {@link ArtifactStore.put}
   * (`putFileOnce` does that choice).
   */
  putFile?(key: string, path: string, options?: PutFileOptions): Promise<void>;
  /** Streams an object, or a byte range of it. */
  get(key: string, options?: GetOptions): Promise<Readable>;
  /** Returns the object's info, or `undefined` when it does not exist. */
  head(key: string): Promise<ObjectInfo | undefined>;
  /** Every object whose key starts with `prefix`, sorted by key. */
  list(prefix: string): Promise<ObjectInfo[]>;
  /** Removes an object; removing a missing key is not an error. */
  delete(key: string): Promise<void>;
  /**
   * A URL that GETs the object without credentials for `expiresInS` seconds, for a host that
   * fetches an artifact itself (`install({ transfer: "presigned-url" })`): S3 presigned URLs.
   * Stores that cannot make one (the filesystem and memory stores) leave it out.
   */
  presignGet?(key: string, expiresInS: number): Promise<string>;
}
