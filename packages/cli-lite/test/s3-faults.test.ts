import { existsSync } from "node:fs";
import { readFile, readlink } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { sha256Hex } from "@deploykit/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FaultProxy, startFaultProxy, startS3, type TestS3 } from "../../../test-support/s3/index.mjs";
import { makeArtifact } from "./support/artifact";
import { type CliRun, cleanEnv, deploykit, tempDir } from "./support/cli";

// Issue 10 item 3: through a proxy that truncates, resets and 5xx's, `deploykit install` and
// `publish` either succeed with verified bytes or fail with a typed error and exit 1: never
// exit 0 with nothing done, never exit without a word, never warn about abort listeners.
const UNREF_TIMERS = fileURLToPath(new URL("./fixtures/unref-timers.mjs", import.meta.url));

let s3: TestS3;
let proxy: FaultProxy;
let dir: string;
let cleanup: () => Promise<void>;
let env: Record<string, string>;
let artifact: string;

const storeArgs = (endpoint: string) => [
  "--store",
  `s3://${s3.bucket}${s3.prefix ? `/${s3.prefix}` : ""}/cli-faults`,
  "--endpoint",
  endpoint,
  "--region",
  s3.region,
  "--path-style",
];

beforeAll(async () => {
  s3 = await startS3();
  proxy = await startFaultProxy({ target: s3.endpoint, seed: 3 });
  ({ dir, cleanup } = await tempDir());
  env = cleanEnv({
    AWS_ACCESS_KEY_ID: s3.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey,
  });
  artifact = await makeArtifact(dir, "hello", "1.0.0");
  const published = await deploykit(
    ["publish", artifact, ...storeArgs(s3.endpoint), "--channel", "production"],
    {
      env,
    },
  );
  expect(published.exitCode, published.stderr).toBe(0);
});
afterAll(async () => {
  await proxy?.stop();
  await s3?.stop();
  await cleanup?.();
});

const artifactGet = (r: { method: string; url: string }) => r.method === "GET" && r.url.includes(".tgz");

const install = (root: string, nodeArgs: string[] = []) =>
  deploykit(
    ["install", "--app", "hello", "--channel", "production", "--root", root, ...storeArgs(proxy.endpoint)],
    {
      env,
      nodeArgs,
    },
  );

function expectTypedFailure(run: CliRun, code: string): void {
  expect(run.exitCode, run.stderr).toBe(1);
  expect(run.stderr).toContain(`[${code}]`);
  expect(run.stderr).toContain("hint:");
  expect(run.stderr).not.toMatch(/MaxListenersExceededWarning/);
}

function nothingInstalled(root: string): void {
  expect(existsSync(join(root, "current"))).toBe(false);
  expect(existsSync(join(root, ".deploykit", "lock"))).toBe(false);
}

describe("deploykit install / publish through a faulty S3 proxy", () => {
  it("one truncated GET body: retried, installed, the cached artifact's sha256 is the manifest's", async () => {
    proxy.inject({ truncate: true, match: artifactGet }, { first: 1 });
    const root = join(dir, "host-once");
    const run = await install(root);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stderr).not.toMatch(/MaxListenersExceededWarning/);
    expect(await readlink(join(root, "current"))).toContain("1.0.0");
    const manifest = JSON.parse(await readFile(`${artifact}.manifest.json`, "utf8"));
    expect(sha256Hex(await readFile(join(root, ".deploykit", "cache", "1.0.0", "hello-1.0.0.tgz")))).toBe(
      manifest.artifact.sha256,
    );
  });

  it.each([
    ["every artifact GET truncated", { truncate: true }, artifactGet],
    ["every artifact GET reset mid-body", { resetFraction: 1 }, artifactGet],
    ["every request answered 503", { failFraction: 1 }, undefined],
  ])(
    "install, %s: E_STORE_UNAVAILABLE, exit 1, nothing installed",
    async (name, settings, match) => {
      proxy.inject({ ...settings, match });
      const root = join(dir, `host-${name.replaceAll(" ", "-")}`);
      expectTypedFailure(await install(root), "E_STORE_UNAVAILABLE");
      nothingInstalled(root);
    },
    60_000,
  );

  it("publish, every request answered 503: E_STORE_UNAVAILABLE, exit 1", async () => {
    proxy.inject({ failFraction: 1 });
    const other = await makeArtifact(dir, "hello", "2.0.0");
    expectTypedFailure(
      await deploykit(["publish", other, ...storeArgs(proxy.endpoint)], { env }),
      "E_STORE_UNAVAILABLE",
    );
  }, 60_000);

  it("an operation the event loop can no longer finish is reported and exits 1, never 0", async () => {
    proxy.inject({ failFraction: 1 }, { first: 1 }); // one 503, so the install waits on a (here unref'd) retry timer
    const root = join(dir, "host-stranded");
    const run = await install(root, ["--import", UNREF_TIMERS]);
    expect(run.exitCode, run.stderr).toBe(1);
    expect(run.stderr).toContain("[E_INTERNAL]");
    expect(run.stderr).toMatch(/deploykit install stopped before its operation finished/);
  });
});
