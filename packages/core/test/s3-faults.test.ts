import { randomBytes } from "node:crypto";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { buffer } from "node:stream/consumers";
import {
  type BuiltPackage,
  type DeployKitError,
  install,
  isDeployKitError,
  publish,
  sha256Hex,
  sha256OfFile,
  storeKeys,
} from "@deploykit/core";
import { createS3Store, type S3Store, type S3StoreOptions } from "@deploykit/core/s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FaultProxy, startFaultProxy, startS3, type TestS3 } from "../../../test-support/s3/index.mjs";
import { makePackage, tempDir } from "./support/package";

const MiB = 1024 * 1024;
let s3: TestS3;
let proxy: FaultProxy;
let work: string;
let cleanup: (() => Promise<void>) | undefined;
const stores: S3Store[] = [];
const PREFIX = () => `${s3.prefix}/faults`;

beforeAll(async () => {
  s3 = await startS3();
  proxy = await startFaultProxy({ target: s3.endpoint, seed: 42 });
  ({ dir: work, cleanup } = await tempDir("dk-s3-faults-"));
});
afterAll(async () => {
  for (const store of stores) store.destroy();
  await proxy?.stop();
  await s3?.stop();
  await cleanup?.();
});

const makeStore = (via: "proxy" | "direct", options: Partial<S3StoreOptions> = {}) => {
  const store = createS3Store({
    bucket: s3.bucket,
    prefix: PREFIX(),
    endpoint: via === "proxy" ? proxy.endpoint : s3.endpoint,
    region: s3.region,
    credentials: s3.credentials,
    retry: { retries: 6, minTimeout: 10, maxTimeout: 200 },
    ...options,
  });
  stores.push(store);
  return store;
};

/** A .tgz release holding `size` random (incompressible) bytes, with its manifest. */
const bigPackage = (version: string, size: number): Promise<BuiltPackage> =>
  makePackage(work, "web", version, { "payload.bin": randomBytes(size), "server.js": `// v${version}\n` });

/** Every file (not directory) under `dir`, relative; [] when it does not exist. */
const filesUnder = async (dir: string) =>
  (await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []))
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));

async function failure(work: () => Promise<unknown>): Promise<DeployKitError> {
  try {
    await work();
  } catch (error) {
    if (isDeployKitError(error)) return error;
    throw error;
  }
  throw new Error("expected a failure");
}

describe("S3 store through a fault-injecting proxy", () => {
  let big: BuiltPackage;

  it("publishes and installs a 50 MB artifact despite 20% 5xx answers and mid-body resets", async () => {
    big = await bigPackage("1.0.0", 50 * MiB);
    expect(big.manifest.artifact.size).toBeGreaterThan(50 * MiB);
    Object.assign(proxy.faults, {
      failFraction: 0.2,
      resetFraction: 0.25,
      requestResetFraction: 0.25,
      // s3rver writes a PutObject body in place, so a reset mid-PUT would leave a truncated object
      // visible (real S3 never does); multipart parts land in its upload folder, like S3.
      requestResetMatch: (r: { url: string }) => r.url.includes("partNumber="),
    });
    const warnings: string[] = [];
    const store = makeStore("proxy", { onEvent: (e) => e.type === "warning" && warnings.push(e.message) });
    const root = join(work, "host-ok");
    try {
      await publish(big, { store, channel: "production" });
      // Which requests the random faults hit depends on how many the upload made: the install
      // also gets two ranged GETs cut mid-body for sure.
      let ranged = 0;
      proxy.faults.resetWhen = (r) => r.method === "GET" && Boolean(r.headers.range) && ++ranged <= 2;
      await install({ store, app: "web", channel: "production", root });
    } finally {
      for (const key of [
        "failFraction",
        "resetFraction",
        "requestResetFraction",
        "requestResetMatch",
        "resetWhen",
      ] as const)
        delete proxy.faults[key];
    }
    expect(proxy.stats.failed / proxy.stats.requests).toBeGreaterThan(0.1);
    expect(proxy.stats.resets).toBeGreaterThanOrEqual(2);
    // a reset mid-body surfaces after the SDK returned the response: only the store's own retry cures it
    expect(warnings.some((m) => /Retrying downloading bytes/.test(m))).toBe(true);
    const cached = join(root, ".deploykit", "cache", "1.0.0", big.manifest.artifact.file);
    expect(await sha256OfFile(cached)).toBe(big.manifest.artifact.sha256);
    expect(await sha256OfFile(join(root, "current", "payload.bin"))).toBe(
      await sha256OfFile(join(work, "tree-web-1.0.0", "payload.bin")),
    );
    const direct = makeStore("direct");
    const stored = await buffer(
      await direct.get(storeKeys.artifact("web", "1.0.0", big.manifest.artifact.file)),
    );
    expect(sha256Hex(stored)).toBe(big.manifest.artifact.sha256);
    expect(
      (await direct.head(storeKeys.artifact("web", "1.0.0", big.manifest.artifact.file)))?.metadata,
    ).toEqual({
      sha256: big.manifest.artifact.sha256,
    });
  }, 180_000);

  it("fails install with a clear error when every attempt's body is truncated, leaving nothing behind", async () => {
    const root = join(work, "host-truncated");
    const store = makeStore("proxy", { retry: { retries: 2, minTimeout: 5, maxTimeout: 20 } });
    proxy.faults.match = (r) => r.method === "GET" && r.url.includes(".tgz");
    proxy.faults.truncate = true;
    const before = proxy.stats.truncated;
    let error: DeployKitError;
    try {
      error = await failure(() => install({ store, app: "web", version: "1.0.0", root }));
    } finally {
      delete proxy.faults.match;
      delete proxy.faults.truncate;
    }
    expect(error.code).toBe("E_STORE_UNAVAILABLE");
    expect(error.message).toMatch(/downloading bytes \d+-\d+ of .*web-1\.0\.0\.tgz after 3 attempts/);
    expect(error.message).toMatch(/body ended after \d+ of \d+ bytes/);
    expect(proxy.stats.truncated - before).toBeGreaterThanOrEqual(3);
    expect(await filesUnder(join(root, ".deploykit", "cache"))).toEqual([]);
    expect(await filesUnder(join(root, "releases"))).toEqual([]);
  }, 60_000);

  it("never installs an object with one byte flipped on the server", async () => {
    const pkg = await bigPackage("2.0.0", 3 * MiB);
    await publish(pkg, { store: makeStore("direct") });
    const key = storeKeys.artifact("web", "2.0.0", pkg.manifest.artifact.file);
    await s3.corrupt(`faults/${key}`, 1_000_000);
    const store = makeStore("direct", { partSize: 1 * MiB });
    const served = await buffer(await store.get(key));
    expect(served.length).toBe(pkg.manifest.artifact.size);
    expect(sha256Hex(served)).not.toBe(pkg.manifest.artifact.sha256);
    const root = join(work, "host-corrupt");
    const error = await failure(() => install({ store, app: "web", version: "2.0.0", root }));
    expect(error.code).toBe("E_CHECKSUM_MISMATCH");
    expect(await filesUnder(join(root, ".deploykit", "cache"))).toEqual([]);
    expect(await filesUnder(join(root, "releases"))).toEqual([]);
  }, 60_000);
});
