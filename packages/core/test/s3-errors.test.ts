import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:net";
import { buffer } from "node:stream/consumers";
import { type DeployEvent, type DeployKitError, isDeployKitError } from "@deploykit/core";
import { createS3Store, type S3Store, type S3StoreOptions } from "@deploykit/core/s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FaultProxy, startFaultProxy, startS3, type TestS3 } from "../../../test-support/s3/index.mjs";

let s3: TestS3;
let proxy: FaultProxy;
const stores: S3Store[] = [];
const quickRetry = { retries: 2, minTimeout: 5, maxTimeout: 20 };

beforeAll(async () => {
  s3 = await startS3();
  proxy = await startFaultProxy({ target: s3.endpoint });
});
afterAll(async () => {
  for (const store of stores) store.destroy();
  await proxy?.stop();
  await s3?.stop();
});

const makeStore = (options: Partial<S3StoreOptions> = {}) => {
  const store = createS3Store({
    bucket: s3.bucket,
    prefix: s3.prefix,
    endpoint: s3.endpoint,
    region: s3.region,
    credentials: s3.credentials,
    retry: quickRetry,
    ...options,
  });
  stores.push(store);
  return store;
};

/** Runs `work` and returns the DeployKitError it rejects with. */
async function failure(work: () => Promise<unknown>): Promise<DeployKitError> {
  try {
    await work();
  } catch (error) {
    if (isDeployKitError(error)) return error;
    throw new Error(`expected a DeployKitError, got ${String(error)}`);
  }
  throw new Error("expected a failure");
}

/** Sets proxy faults for the duration of `work`. */
async function withFaults<T>(faults: typeof proxy.faults, work: () => Promise<T>): Promise<T> {
  Object.assign(proxy.faults, faults);
  try {
    return await work();
  } finally {
    for (const key of Object.keys(faults)) delete proxy.faults[key as keyof typeof faults];
  }
}

describe("S3 store errors", () => {
  it("a missing bucket is E_STORE_NOT_FOUND from every operation, with a hint naming the bucket setting", async () => {
    const missing = `no-such-bucket-${randomUUID().slice(0, 12)}`;
    const store = makeStore({ bucket: missing });
    const operations: [string, () => Promise<unknown>][] = [
      ["put", () => store.put("k", "v")],
      ["put ifAbsent", () => store.put("k", "v", { ifAbsent: true })],
      ["get", () => store.get("k")],
      ["head", () => store.head("k")],
      ["list", () => store.list("")],
      ["delete", () => store.delete("k")],
    ];
    for (const [name, work] of operations) {
      const error = await failure(work);
      expect(error.code, name).toBe("E_STORE_NOT_FOUND");
      expect(error.message, name).toContain(missing);
      expect(error.hint, name).toMatch(/bucket/);
    }
  });

  it("a missing key is still E_NOT_FOUND / undefined when the bucket exists", async () => {
    const store = makeStore();
    expect((await failure(() => store.get("nope"))).code).toBe("E_NOT_FOUND");
    expect(await store.head("nope")).toBeUndefined();
  });

  it("an unknown access key is E_STORE_AUTH (s3rver checks key ids), not retried", async () => {
    const store = makeStore({ credentials: { accessKeyId: "WRONGKEY", secretAccessKey: "S3RVER" } });
    for (const work of [() => store.put("k", "v"), () => store.list(""), () => store.get("k")]) {
      const error = await failure(work);
      expect(error.code).toBe("E_STORE_AUTH");
      expect(error.hint).toMatch(/AWS_ACCESS_KEY_ID/);
      expect(error.details.attempts).toBe(1);
    }
  });

  it("a wrong secret is E_STORE_AUTH (s3rver does not verify SigV4, so a proxy answers 403 as S3 would)", async () => {
    const store = makeStore({ endpoint: proxy.endpoint });
    await withFaults({ answer: { status: 403, code: "SignatureDoesNotMatch" } }, async () => {
      const before = proxy.stats.answered;
      const put = await failure(() => store.put("k", "v"));
      expect(put.code).toBe("E_STORE_AUTH");
      expect(put.message).toContain("SignatureDoesNotMatch");
      // HEAD answers carry no body, only the status
      expect((await failure(() => store.head("k"))).code).toBe("E_STORE_AUTH");
      expect(proxy.stats.answered - before).toBe(2);
    });
  });

  it("a server that is down is E_STORE_UNAVAILABLE after the retries, naming the endpoint", async () => {
    const closed: Server = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const { port } = closed.address() as { port: number };
    await new Promise((resolve) => closed.close(resolve));
    const events: DeployEvent[] = [];
    const store = makeStore({ endpoint: `http://127.0.0.1:${port}`, onEvent: (e) => events.push(e) });
    const error = await failure(() => store.list(""));
    expect(error.code).toBe("E_STORE_UNAVAILABLE");
    expect(error.details.attempts).toBe(3);
    expect(error.message).toContain("ECONNREFUSED");
    expect(error.hint).toContain(`http://127.0.0.1:${port}`);
    expect(error.hint).toMatch(/AWS_ENDPOINT_URL_S3/);
    expect(events.filter((e) => e.type === "warning")).toHaveLength(2);
  });

  it("5xx answers are retried, and E_STORE_UNAVAILABLE once the retries run out", async () => {
    const store = makeStore({ endpoint: proxy.endpoint, maxAttempts: 1 });
    await store.put("flaky", "ok");
    await withFaults({ failNth: [proxy.stats.matched + 1, proxy.stats.matched + 2] }, async () => {
      expect((await buffer(await store.get("flaky"))).toString()).toBe("ok");
    });
    await withFaults({ failFraction: 1 }, async () => {
      const before = proxy.stats.failed;
      const error = await failure(() => store.list(""));
      expect(error.code).toBe("E_STORE_UNAVAILABLE");
      expect(error.message).toMatch(/after 3 attempts.*503 SlowDown/);
      expect(proxy.stats.failed - before).toBe(3);
    });
  });
});
