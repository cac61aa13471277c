import { createHash, randomBytes } from "node:crypto";
import { truncateSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { buffer } from "node:stream/consumers";
import { ListMultipartUploadsCommand } from "@aws-sdk/client-s3";
import { type DeployEvent, DeployKitError, putFileOnce } from "@deploykit/core";
import { createS3Store, filePartSize, type S3Store, type S3StoreOptions } from "@deploykit/core/s3";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type FaultProxy, startFaultProxy, startS3, type TestS3 } from "../../../test-support/s3/index.mjs";
import { tempDir } from "./support/package";

const MiB = 1024 * 1024;
let s3: TestS3;
let proxy: FaultProxy;
let dir: string;
let cleanup: () => Promise<void>;
const stores: S3Store[] = [];
let caseNo = 0;

beforeAll(async () => {
  s3 = await startS3({ local: true });
  proxy = await startFaultProxy({ target: s3.endpoint });
  ({ dir, cleanup } = await tempDir("deploykit-put-file-"));
});
afterAll(async () => {
  for (const store of stores) store.destroy();
  await proxy?.stop();
  await s3?.stop();
  await cleanup?.();
});

/** A store with its own prefix, its traffic through the proxy, 5 MiB parts 3 at a time. */
const makeStore = (options: Partial<S3StoreOptions> = {}) => {
  caseNo += 1;
  const store = createS3Store({
    bucket: s3.bucket,
    prefix: `${s3.prefix}/file-${caseNo}`,
    endpoint: proxy.endpoint,
    region: s3.region,
    credentials: s3.credentials,
    uploadPartSize: 5 * MiB,
    queueSize: 3,
    retry: { retries: 3, minTimeout: 5, maxTimeout: 20 },
    ...options,
  });
  stores.push(store);
  return store;
};

const sha = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");
const file = async (name: string, size: number) => {
  const bytes = randomBytes(size);
  const path = join(dir, name);
  await writeFile(path, bytes);
  return { path, bytes };
};
const isPart = (r: { method: string; url: string }) => r.method === "PUT" && r.url.includes("partNumber=");
const isComplete = (r: { method: string; url: string }) => r.method === "POST" && r.url.includes("uploadId=");

/** Runs `work` while the proxy records every request it forwards (and applies `faults`). */
async function recording<T>(work: () => Promise<T>) {
  const seen: { method: string; url: string; headers: Record<string, unknown> }[] = [];
  const match = proxy.faults.match;
  proxy.faults.match = (request) => {
    seen.push(request);
    return match ? match(request) : false;
  };
  try {
    return { result: await work(), seen };
  } finally {
    proxy.inject({});
  }
}

/** The multipart uploads still open under the store's prefix (s3rver's ListMultipartUploads). */
const openUploads = async (store: S3Store) =>
  (await store.client.send(new ListMultipartUploadsCommand({ Bucket: store.bucket, Prefix: store.prefix })))
    .Uploads ?? [];

describe("S3 store putFile: a file's byte ranges as multipart parts", () => {
  it("uploads a file in parts, each a streamed range signed UNSIGNED-PAYLOAD, byte-identical", async () => {
    const store = makeStore();
    const { path, bytes } = await file("big.bin", 23 * MiB + 5);
    expect(filePartSize(bytes.length, 5 * MiB, 3)).toBe(8 * MiB);
    const progress: number[] = [];
    const { seen } = await recording(() =>
      store.putFile("big.bin", path, {
        metadata: { sha256: sha(bytes) },
        onProgress: (b) => progress.push(b),
      }),
    );
    const parts = seen.filter(isPart);
    expect(parts.map((r) => new URL(r.url, "http://x").searchParams.get("partNumber")).sort()).toEqual([
      "1",
      "2",
      "3",
    ]);
    expect(parts.map((r) => r.headers["content-length"]).sort()).toEqual([
      String(7 * MiB + 5),
      String(8 * MiB),
      String(8 * MiB),
    ]);
    for (const part of parts) expect(part.headers["x-amz-content-sha256"]).toBe("UNSIGNED-PAYLOAD");
    expect(progress.at(-1)).toBe(bytes.length);
    expect(sha(await buffer(await store.get("big.bin")))).toBe(sha(bytes));
    expect((await store.head("big.bin"))?.metadata).toEqual({ sha256: sha(bytes) });
    expect(await openUploads(store)).toEqual([]);
  });

  it("sends a file that fits one part as one streamed PutObject, and an empty file", async () => {
    const store = makeStore();
    const { path, bytes } = await file("small.bin", 3 * MiB);
    const { seen } = await recording(() => store.putFile("small.bin", path));
    expect(seen.filter((r) => r.method === "PUT").map((r) => r.headers["x-amz-content-sha256"])).toEqual([
      "UNSIGNED-PAYLOAD",
    ]);
    expect(sha(await buffer(await store.get("small.bin")))).toBe(sha(bytes));
    const empty = await file("empty.bin", 0);
    await store.putFile("empty.bin", empty.path);
    expect((await store.head("empty.bin"))?.size).toBe(0);
  });

  it("a part whose body is cut by a reset is sent again from the file, with nothing on the console", async () => {
    const warnings: string[] = [];
    const store = makeStore({
      onEvent: (e: DeployEvent) => e.type === "warning" && warnings.push(e.message),
    });
    const { path, bytes } = await file("retried.bin", 17 * MiB);
    const partTwo = (r: { method: string; url: string }) => isPart(r) && r.url.includes("partNumber=2&");
    proxy.inject({ match: partTwo, requestResetFraction: 1 }, { first: 1 });
    const resets = proxy.stats.resets;
    // The SDK tells the console it does not retry a streamed request; the store does, silently.
    const consoleWarn = vi.spyOn(console, "warn").mockImplementation(() => {});
    let warned: unknown[][] = [];
    const { seen } = await recording(() => store.putFile("retried.bin", path)).finally(() => {
      warned = [...consoleWarn.mock.calls]; // mockRestore forgets them
      consoleWarn.mockRestore();
    });
    expect(warned).toEqual([]);
    expect(proxy.stats.resets - resets).toBe(1);
    expect(seen.filter(partTwo)).toHaveLength(2);
    expect(warnings.some((m) => /Retrying writing retried\.bin/.test(m))).toBe(true);
    expect(sha(await buffer(await store.get("retried.bin")))).toBe(sha(bytes));
  });

  it("an aborted upload is E_ABORTED and leaves no multipart upload behind", async () => {
    const store = makeStore({ queueSize: 2 });
    const { path } = await file("aborted.bin", 16 * MiB);
    const controller = new AbortController();
    proxy.faults.match = (r) => {
      if (isPart(r) && r.url.includes("partNumber=2&")) controller.abort();
      return false;
    };
    const { result, seen } = await recording(() =>
      store.putFile("aborted.bin", path, { signal: controller.signal }).catch((error: unknown) => error),
    );
    expect(result).toMatchObject({ code: "E_ABORTED" });
    expect(seen.some((r) => r.method === "DELETE" && r.url.includes("uploadId="))).toBe(true);
    expect(await openUploads(store)).toEqual([]);
    expect(await store.head("aborted.bin")).toBeUndefined();
  });

  it("a part that keeps failing aborts the upload: no parts left, E_STORE_UNAVAILABLE", async () => {
    const store = makeStore({ retry: { retries: 1, minTimeout: 5, maxTimeout: 10 } });
    const { path } = await file("failing.bin", 16 * MiB);
    proxy.faults.match = (r) => isPart(r) && r.url.includes("partNumber=3&");
    proxy.faults.failFraction = 1;
    const { result } = await recording(() =>
      store.putFile("failing.bin", path).catch((error: unknown) => error),
    );
    expect(result).toMatchObject({ code: "E_STORE_UNAVAILABLE" });
    expect(await openUploads(store)).toEqual([]);
    expect(await store.head("failing.bin")).toBeUndefined();
  });

  it("a file that shrinks during the upload is E_CHECKSUM_MISMATCH, nothing left behind", async () => {
    const store = makeStore({ queueSize: 2 });
    const { path } = await file("shrinks.bin", 16 * MiB);
    proxy.faults.match = (r) => {
      // Cut once the upload has read the size, before any part is read.
      if (r.method === "POST" && r.url.includes("?uploads")) truncateSync(path, 9 * MiB);
      return false;
    };
    const { result } = await recording(() =>
      store.putFile("shrinks.bin", path).catch((error: unknown) => error),
    );
    expect(result).toMatchObject({ code: "E_CHECKSUM_MISMATCH" });
    expect(await openUploads(store)).toEqual([]);
    expect(await store.head("shrinks.bin")).toBeUndefined();
  });

  it("create-only: an existing key is E_OBJECT_EXISTS; a 412 on Complete too, with no parts left", async () => {
    const store = makeStore();
    const { path, bytes } = await file("once.bin", 11 * MiB);
    const { seen } = await recording(() => store.putFile("once.bin", path, { ifAbsent: true }));
    expect(seen[0]?.method).toBe("HEAD");
    expect(seen.find(isComplete)?.headers["if-none-match"]).toBe("*");
    const other = await file("other.bin", 11 * MiB);
    await expect(store.putFile("once.bin", other.path, { ifAbsent: true })).rejects.toMatchObject({
      code: "E_OBJECT_EXISTS",
    });
    proxy.faults.match = (r) => isComplete(r) && r.headers["if-none-match"] === "*";
    proxy.faults.answer = { status: 412, code: "PreconditionFailed" };
    const raced = await recording(() =>
      store.putFile("raced.bin", other.path, { ifAbsent: true }).catch((error: unknown) => error),
    );
    expect(raced.result).toMatchObject({ code: "E_OBJECT_EXISTS" });
    expect(await openUploads(store)).toEqual([]);
    expect(sha(await buffer(await store.get("once.bin")))).toBe(sha(bytes));
  });

  it("a 501 to If-None-Match sends the file again without it (a file can be replayed)", async () => {
    const store = makeStore();
    const { path, bytes } = await file("plain.bin", 11 * MiB);
    proxy.faults.match = (r) => isComplete(r) && r.headers["if-none-match"] === "*";
    proxy.faults.answer = { status: 501, code: "NotImplemented" };
    await recording(() => store.putFile("plain.bin", path, { ifAbsent: true }));
    expect(sha(await buffer(await store.get("plain.bin")))).toBe(sha(bytes));
    expect(await openUploads(store)).toEqual([]);
  });

  it("a missing file is E_INVALID_INPUT before any request", async () => {
    const store = makeStore();
    const { seen, result } = await recording(() =>
      store.putFile("x.bin", join(dir, "missing.bin")).catch((error: unknown) => error),
    );
    expect(result).toMatchObject({ code: "E_INVALID_INPUT" });
    expect(seen).toEqual([]);
  });

  it("putFileOnce goes through putFile, and refuses a file whose bytes are not the recorded ones", async () => {
    const store = makeStore();
    const { path, bytes } = await file("artifact.tgz", 12 * MiB);
    const conflict = () => new DeployKitError("E_VERSION_EXISTS", "conflict", { hint: "test" });
    const { seen } = await recording(() =>
      putFileOnce(store, "a/artifact.tgz", { path, size: bytes.length, sha256: sha(bytes) }, { conflict }),
    );
    expect(seen.filter(isPart).every((r) => r.headers["x-amz-content-sha256"] === "UNSIGNED-PAYLOAD")).toBe(
      true,
    );
    expect(seen.filter(isPart).length).toBeGreaterThanOrEqual(2);
    expect((await store.head("a/artifact.tgz"))?.metadata).toEqual({ sha256: sha(bytes) });
    const stale = await file("stale.tgz", 12 * MiB);
    await expect(
      putFileOnce(
        store,
        "a/stale.tgz",
        { path: stale.path, size: 12 * MiB, sha256: sha(bytes) },
        { conflict },
      ),
    ).rejects.toMatchObject({ code: "E_CHECKSUM_MISMATCH" });
    expect(await store.head("a/stale.tgz")).toBeUndefined();
  });
});
