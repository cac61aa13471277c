import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { buffer } from "node:stream/consumers";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { type BuiltPackage, publish, sha256Hex, storeKeys } from "@deploykit/core";
import { createS3Store, type S3Store, type S3StoreOptions } from "@deploykit/core/s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FaultProxy, startFaultProxy, startS3, type TestS3 } from "../../../test-support/s3/index.mjs";
import { makePackage, tempDir } from "./support/package";

// Issue 10 item 3: S3 faults must never end in silence. Each operation runs in its own Node
// process through the BUILT package (as a user's script does), so nothing of the test runner
// keeps the event loop alive: a wait that does not hold the process open shows up as an exit
// without a result line.
const OPERATION = fileURLToPath(new URL("./support/s3-operation.mjs", import.meta.url));
const KiB = 1024;

interface Run {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  result: { ok: boolean; typed?: boolean; code?: string; message?: string; version?: string } | undefined;
}

let s3: TestS3;
let proxy: FaultProxy;
let dir: string;
let cleanup: () => Promise<void>;
let pkg: BuiltPackage;
let payload: string;
const direct: S3Store[] = [];

const storeOptions = (endpoint: string): S3StoreOptions => ({
  bucket: s3.bucket,
  prefix: `${s3.prefix}/process-faults`,
  endpoint,
  region: s3.region,
  credentials: s3.credentials,
  retry: { retries: 2, minTimeout: 20, maxTimeout: 50 },
});

beforeAll(async () => {
  if (!existsSync(fileURLToPath(new URL("../dist/index.js", import.meta.url))))
    throw new Error("packages/core/dist is missing: run `npm run build` first.");
  s3 = await startS3();
  proxy = await startFaultProxy({ target: s3.endpoint, seed: 7 });
  ({ dir, cleanup } = await tempDir("dk-s3-process-"));
  payload = randomBytes(1024 * KiB).toString("hex");
  pkg = await makePackage(dir, "web", "1.0.0", { "payload.txt": payload });
  const store = createS3Store(storeOptions(s3.endpoint));
  direct.push(store);
  await publish(pkg, { store, channel: "production" });
}, 60_000);
afterAll(async () => {
  for (const store of direct) store.destroy();
  await proxy?.stop();
  await s3?.stop();
  await cleanup?.();
});

async function run(job: Record<string, unknown>, store: Partial<S3StoreOptions> = {}): Promise<Run> {
  const out = await promisify(execFile)(
    process.execPath,
    [OPERATION, JSON.stringify({ store: { ...storeOptions(proxy.endpoint), ...store }, ...job })],
    { encoding: "utf8" },
  ).then(
    (r) => ({ exitCode: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number | null; stdout: string; stderr: string }) => ({
      exitCode: e.code,
      stdout: e.stdout,
      stderr: e.stderr,
    }),
  );
  const lines = out.stdout.split("\n").filter(Boolean);
  return { ...out, result: lines.length === 1 ? JSON.parse(lines[0] as string) : undefined };
}

/** Every run settles with one result line, its exit code says which, and no listener piles up. */
function expectSettled(r: Run): void {
  expect(r.result, `exit ${r.exitCode} without a result; stderr: ${r.stderr}`).toBeDefined();
  expect(r.exitCode).toBe(r.result?.ok ? 0 : 1);
  expect(r.stderr).not.toMatch(/MaxListenersExceededWarning/);
}

function expectTypedFailure(r: Run, code: string): void {
  expectSettled(r);
  expect(r.result).toMatchObject({ ok: false, typed: true, code });
}

const artifactGet = (r: { method: string; url: string }) => r.method === "GET" && r.url.includes(".tgz");

async function installedIntact(root: string): Promise<void> {
  const cached = join(root, ".deploykit", "cache", "1.0.0", pkg.manifest.artifact.file);
  expect(sha256Hex(await readFile(cached))).toBe(pkg.manifest.artifact.sha256);
  expect(await readFile(join(root, "current", "payload.txt"), "utf8")).toBe(payload);
}

function nothingInstalled(root: string): void {
  expect(existsSync(join(root, "current"))).toBe(false);
  expect(existsSync(join(root, ".deploykit", "lock"))).toBe(false);
}

describe("install() in its own process through a faulty S3 proxy", () => {
  it.each([
    ["in one GET", {}],
    // many ranged GETs in flight, as with a big artifact: abort listeners must not pile up
    ["among ranged GETs", { partSize: 128 * KiB }],
  ])(
    "one truncated body %s: retried, installed, bytes verified, no listener warning",
    async (name, store) => {
      proxy.inject({ truncate: true, match: artifactGet }, { first: 1 });
      const before = proxy.stats.truncated;
      const root = join(dir, `host-truncated-once-${name.replaceAll(" ", "-")}`);
      const r = await run({ op: "install", app: "web", channel: "production", root }, store);
      expectSettled(r);
      expect(r.result).toMatchObject({ ok: true, version: "1.0.0" });
      expect(proxy.stats.truncated - before).toBe(1);
      await installedIntact(root);
    },
  );

  it.each([
    ["every artifact GET truncated", { truncate: true }, artifactGet],
    ["every artifact GET reset mid-body", { resetFraction: 1 }, artifactGet],
    ["every request answered 503", { failFraction: 1 }, undefined],
  ])("%s: rejects with E_STORE_UNAVAILABLE and leaves no lock", async (_name, settings, match) => {
    proxy.inject({ ...settings, match });
    const root = join(dir, `host-${_name.replaceAll(" ", "-")}`);
    const r = await run({ op: "install", app: "web", channel: "production", root });
    expectTypedFailure(r, "E_STORE_UNAVAILABLE");
    nothingInstalled(root);
  });
});

describe("publish() in its own process through a faulty S3 proxy", () => {
  const release = (version: string): BuiltPackage => ({ ...pkg, manifest: { ...pkg.manifest, version } });

  it("every request answered 503: rejects with E_STORE_UNAVAILABLE", async () => {
    proxy.inject({ failFraction: 1 });
    expectTypedFailure(
      await run({ op: "publish", pkg: release("2.0.0"), channel: "production" }),
      "E_STORE_UNAVAILABLE",
    );
  });

  it("resets and 5xx on the way: publishes, and the stored bytes are the package's", async () => {
    proxy.inject({ failFraction: 0.3, resetFraction: 0.3 }, { first: 6 });
    const r = await run({ op: "publish", pkg: release("3.0.0"), channel: "staging" });
    expectSettled(r);
    expect(r.result).toMatchObject({ ok: true, version: "3.0.0" });
    const store = createS3Store(storeOptions(s3.endpoint));
    direct.push(store);
    const stored = await buffer(
      await store.get(storeKeys.artifact("web", "3.0.0", pkg.manifest.artifact.file)),
    );
    expect(sha256Hex(stored)).toBe(pkg.manifest.artifact.sha256);
  });
});
