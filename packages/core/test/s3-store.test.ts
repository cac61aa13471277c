import { createHash, randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { buffer } from "node:stream/consumers";
import { isDeployKitError } from "@deploykit/core";
import {
  createS3Store,
  MAX_PARTS,
  parseS3StoreUrl,
  type S3Store,
  type S3StoreOptions,
  uploadPartSize,
} from "@deploykit/core/s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FaultProxy, startFaultProxy, startS3, type TestS3 } from "../../../test-support/s3/index.mjs";

const MiB = 1024 * 1024;
let s3: TestS3;
let proxy: FaultProxy;
const stores: S3Store[] = [];
let caseNo = 0;

beforeAll(async () => {
  s3 = await startS3();
  proxy = await startFaultProxy({ target: s3.endpoint });
});
afterAll(async () => {
  for (const store of stores) store.destroy();
  await proxy?.stop();
  await s3?.stop();
});

/** A store with its own prefix; `via: "proxy"` sends its traffic through the (fault-free) proxy. */
const makeStore = (options: Partial<S3StoreOptions> & { via?: "proxy" } = {}) => {
  const { via, ...rest } = options;
  caseNo += 1;
  const store = createS3Store({
    bucket: s3.bucket,
    prefix: `${s3.prefix}/store-${caseNo}`,
    endpoint: via ? proxy.endpoint : s3.endpoint,
    region: s3.region,
    credentials: s3.credentials,
    ...rest,
  });
  stores.push(store);
  return store;
};

/** Records the requests the proxy forwards while `work` runs. */
async function recording<T>(work: () => Promise<T>) {
  const seen: { method: string; url: string; headers: Record<string, unknown> }[] = [];
  proxy.faults.match = (request) => {
    seen.push(request);
    return false;
  };
  proxy.stats.maxInFlight = 0;
  try {
    return { result: await work(), seen, maxInFlight: proxy.stats.maxInFlight };
  } finally {
    delete proxy.faults.match;
  }
}

const sha = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");
const chunked = (bytes: Buffer, size = 256 * 1024) =>
  Readable.from(
    (function* () {
      for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
    })(),
  );

describe("S3 store against s3rver", () => {
  it("keeps metadata and reports it from head", async () => {
    const store = makeStore();
    await store.put("apps/web/x.tgz", "bytes", { metadata: { sha256: "abc123" } });
    expect(await store.head("apps/web/x.tgz")).toEqual({
      key: "apps/web/x.tgz",
      size: 5,
      metadata: { sha256: "abc123" },
    });
  });

  it("uploads a stream in several multipart parts and reads back identical bytes", async () => {
    const store = makeStore({ via: "proxy", uploadPartSize: 5 * MiB, queueSize: 3 });
    const bytes = randomBytes(23 * MiB);
    const { seen } = await recording(() =>
      store.put("big.bin", chunked(bytes), { contentLength: bytes.length, metadata: { sha256: sha(bytes) } }),
    );
    const parts = seen.filter((r) => r.method === "PUT" && r.url.includes("partNumber="));
    expect(parts).toHaveLength(5);
    expect(seen.some((r) => r.method === "POST" && r.url.includes("uploadId="))).toBe(true);
    expect(sha(await buffer(await store.get("big.bin")))).toBe(sha(bytes));
    expect((await store.head("big.bin"))?.metadata).toEqual({ sha256: sha(bytes) });
  });

  it("uploads a stream of unknown length", async () => {
    const store = makeStore({ uploadPartSize: 5 * MiB });
    const bytes = randomBytes(11 * MiB + 7);
    await store.put("unknown.bin", chunked(bytes));
    expect((await store.head("unknown.bin"))?.size).toBe(bytes.length);
    expect(sha(await buffer(await store.get("unknown.bin")))).toBe(sha(bytes));
  });

  it("downloads a large object with parallel ranged GETs, emitted in order", async () => {
    const store = makeStore({ via: "proxy", partSize: 1 * MiB, concurrency: 4 });
    const bytes = randomBytes(20 * MiB + 123);
    await store.put("par.bin", bytes);
    proxy.faults.latencyMs = 20;
    const { result, seen, maxInFlight } = await recording(async () => buffer(await store.get("par.bin")));
    proxy.faults.latencyMs = 0;
    expect(sha(result)).toBe(sha(bytes));
    const ranges = seen.filter((r) => r.method === "GET").map((r) => r.headers.range);
    expect(ranges).toHaveLength(21);
    expect(ranges[0]).toBe(`bytes=0-${MiB - 1}`);
    expect(ranges.at(-1)).toBe(`bytes=${20 * MiB}-${20 * MiB + 122}`);
    expect(maxInFlight).toBeGreaterThanOrEqual(3);
    expect(maxInFlight).toBeLessThanOrEqual(4);
  });

  it("serves byte ranges across part boundaries, clamped to the object", async () => {
    const store = makeStore({ partSize: 1 * MiB });
    const bytes = randomBytes(3 * MiB + 10);
    await store.put("r.bin", bytes);
    const read = async (start: number, end?: number) =>
      buffer(await store.get("r.bin", { range: end === undefined ? { start } : { start, end } }));
    expect((await read(MiB - 10, 2 * MiB + 5)).equals(bytes.subarray(MiB - 10, 2 * MiB + 6))).toBe(true);
    expect((await read(3 * MiB)).equals(bytes.subarray(3 * MiB))).toBe(true);
    expect((await read(5, 9 * MiB)).equals(bytes.subarray(5))).toBe(true);
    expect((await read(4 * MiB)).length).toBe(0);
    await expect(store.get("r.bin", { range: { start: 5, end: 2 } })).rejects.toMatchObject({
      code: "E_INVALID_INPUT",
    });
  });

  it("reads an empty object", async () => {
    const store = makeStore();
    await store.put("empty", "");
    expect((await buffer(await store.get("empty"))).length).toBe(0);
  });

  it("create-only writes send If-None-Match: * after a HEAD, and never overwrite", async () => {
    const store = makeStore({ via: "proxy", uploadPartSize: 5 * MiB });
    const first = randomBytes(11 * MiB);
    const { seen } = await recording(() =>
      store.put("v/a.tgz", chunked(first), { ifAbsent: true, contentLength: first.length }),
    );
    expect(seen[0]?.method).toBe("HEAD");
    const complete = seen.find((r) => r.method === "POST" && r.url.includes("uploadId="));
    expect(complete?.headers["if-none-match"]).toBe("*");
    const again = store.put("v/a.tgz", chunked(randomBytes(11 * MiB)), { ifAbsent: true });
    await expect(again).rejects.toMatchObject({ code: "E_OBJECT_EXISTS" });
    expect(sha(await buffer(await store.get("v/a.tgz")))).toBe(sha(first));
  });

  it("a completed multipart upload whose answer is lost is recognised, not failed on retry", async () => {
    const store = makeStore({
      via: "proxy",
      uploadPartSize: 5 * MiB,
      retry: { retries: 3, minTimeout: 5, maxTimeout: 20 },
    });
    const bytes = randomBytes(11 * MiB);
    proxy.faults.match = (r) => r.method === "POST" && r.url.includes("uploadId=");
    proxy.faults.resetFraction = 1;
    const before = proxy.stats.resets;
    try {
      await store.put("lost.bin", chunked(bytes), { ifAbsent: true, metadata: { sha256: sha(bytes) } });
    } finally {
      delete proxy.faults.match;
      delete proxy.faults.resetFraction;
    }
    expect(proxy.stats.resets - before).toBeGreaterThanOrEqual(1);
    expect(sha(await buffer(await store.get("lost.bin")))).toBe(sha(bytes));
    expect((await store.head("lost.bin"))?.metadata).toEqual({ sha256: sha(bytes) });
  });

  it("a server answering 412 to the conditional write is E_OBJECT_EXISTS (the atomic path)", async () => {
    const store = makeStore({ via: "proxy" });
    proxy.faults.match = (r) => r.method === "PUT" && r.headers["if-none-match"] === "*";
    proxy.faults.answer = { status: 412, code: "PreconditionFailed" };
    try {
      await expect(store.put("raced", "x", { ifAbsent: true })).rejects.toMatchObject({
        code: "E_OBJECT_EXISTS",
      });
    } finally {
      delete proxy.faults.answer;
      delete proxy.faults.match;
    }
  });

  it("falls back to HEAD-then-put when the server answers 501 to If-None-Match", async () => {
    const store = makeStore({ via: "proxy" });
    proxy.faults.match = (r) => r.method === "PUT" && r.headers["if-none-match"] === "*";
    proxy.faults.answer = { status: 501, code: "NotImplemented" };
    const before = proxy.stats.answered;
    try {
      await store.put("plain", "one", { ifAbsent: true });
      await store.put("plain2", "two", { ifAbsent: true });
      expect(proxy.stats.answered - before).toBe(1);
    } finally {
      delete proxy.faults.answer;
      delete proxy.faults.match;
    }
    expect((await buffer(await store.get("plain"))).toString()).toBe("one");
    await expect(store.put("plain", "three", { ifAbsent: true })).rejects.toMatchObject({
      code: "E_OBJECT_EXISTS",
    });
  });

  it("cancels a download through its signal, and a put with an aborted signal writes nothing", async () => {
    const store = makeStore({ partSize: 1 * MiB });
    await store.put("abort.bin", randomBytes(8 * MiB));
    const controller = new AbortController();
    const stream = await store.get("abort.bin", { signal: controller.signal });
    const reading = buffer(stream);
    controller.abort();
    await expect(reading).rejects.toThrow();
    const stopped = new AbortController();
    stopped.abort();
    await expect(store.put("never", "x", { signal: stopped.signal })).rejects.toMatchObject({
      code: "E_ABORTED",
    });
    expect(await store.head("never")).toBeUndefined();
  });

  it("lists more than one page of keys, sorted", async () => {
    const store = makeStore();
    const keys = Array.from({ length: 1005 }, (_, i) => `many/k${String(1004 - i).padStart(4, "0")}`);
    for (let at = 0; at < keys.length; at += 50)
      await Promise.all(keys.slice(at, at + 50).map((key) => store.put(key, "x")));
    const listed = (await store.list("many/")).map((o) => o.key);
    expect(listed).toEqual([...keys].sort());
  }, 90_000);

  it("honours AWS_ENDPOINT_URL_S3 and the SDK's credential chain, with WHEN_REQUIRED checksums", async () => {
    const saved = { ...process.env };
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      AWS_ACCESS_KEY_ID: s3.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey,
      AWS_REGION: s3.region,
    });
    try {
      const store = createS3Store({ bucket: s3.bucket, prefix: `${s3.prefix}/env` });
      stores.push(store);
      await store.put("k", "from env");
      expect((await buffer(await store.get("k"))).toString()).toBe("from env");
      expect(await store.client.config.requestChecksumCalculation()).toBe("WHEN_REQUIRED");
      expect(await store.client.config.responseChecksumValidation()).toBe("WHEN_REQUIRED");
      expect(store.client.config.forcePathStyle).toBe(true);
    } finally {
      process.env = saved;
    }
  });

  it("uses an injected client as is", async () => {
    const owner = makeStore();
    const store = createS3Store({ bucket: s3.bucket, prefix: `${s3.prefix}/injected`, client: owner.client });
    await store.put("k", "v");
    expect(store.client).toBe(owner.client);
    expect((await owner.list("")).length).toBe(0);
    expect((await buffer(await store.get("k"))).toString()).toBe("v");
  });
});

describe("S3 store options", () => {
  it("grows the part size so an object never needs more than 10,000 parts", () => {
    for (const size of [0, 5 * MiB, 80 * 1024 * MiB, 100 * 1024 * MiB, 5 * 1024 * 1024 * MiB]) {
      const part = uploadPartSize(size, 8 * MiB);
      expect(part).toBeGreaterThanOrEqual(8 * MiB);
      expect(Math.ceil(size / part)).toBeLessThanOrEqual(MAX_PARTS);
    }
    expect(uploadPartSize(undefined, 8 * MiB)).toBe(8 * MiB);
  });

  it("parses s3://bucket/prefix store URLs", () => {
    expect(parseS3StoreUrl("s3://releases")).toEqual({ bucket: "releases", prefix: "" });
    expect(parseS3StoreUrl("s3://releases/")).toEqual({ bucket: "releases", prefix: "" });
    expect(parseS3StoreUrl("s3://releases/team/web/")).toEqual({ bucket: "releases", prefix: "team/web" });
    for (const bad of ["releases/x", "s3://", "http://releases/x"])
      expect(() => parseS3StoreUrl(bad)).toThrow(expect.objectContaining({ code: "E_INVALID_INPUT" }));
  });

  it("refuses bad options before any request", () => {
    const bad: Partial<S3StoreOptions>[] = [
      { bucket: "No_Such" },
      { bucket: "ok-bucket", prefix: "a/../b" },
      { bucket: "ok-bucket", uploadPartSize: 1024 },
      { bucket: "ok-bucket", concurrency: 0 },
      { bucket: "ok-bucket", endpoint: "notaurl" },
      { bucket: "ok-bucket", endpoint: "127.0.0.1:9000" },
      { bucket: "ok-bucket", endpoint: "ftp://127.0.0.1:9000" },
    ];
    for (const options of bad) {
      let caught: unknown;
      try {
        createS3Store({ bucket: "x", endpoint: "http://127.0.0.1:9", ...options } as S3StoreOptions);
      } catch (error) {
        caught = error;
      }
      expect(isDeployKitError(caught, "E_INVALID_INPUT"), JSON.stringify(options)).toBe(true);
    }
  });
});
