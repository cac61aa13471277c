import { readlink } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startS3, type TestS3 } from "../../../test-support/s3/index.mjs";
import { makeArtifact } from "./support/artifact";
import { cleanEnv, deploykit, jsonLines, tempDir } from "./support/cli";

describe("--store s3://bucket/prefix against a real S3 server", () => {
  let s3: TestS3;
  let dir: string;
  let cleanup: () => Promise<void>;
  let env: Record<string, string>;
  let storeArgs: string[];

  beforeAll(async () => {
    s3 = await startS3();
    ({ dir, cleanup } = await tempDir());
    env = cleanEnv({
      AWS_ACCESS_KEY_ID: s3.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey,
    });
    const prefix = s3.prefix ? `/${s3.prefix}` : "";
    storeArgs = [
      "--store",
      `s3://${s3.bucket}${prefix}/releases`,
      "--endpoint",
      s3.endpoint,
      "--region",
      s3.region,
      "--path-style",
    ];
  });
  afterAll(async () => {
    await s3?.stop();
    await cleanup?.();
  });

  it("publishes and installs through S3", async () => {
    const artifact = await makeArtifact(dir, "hello", "1.0.0");
    const published = await deploykit(["publish", artifact, ...storeArgs, "--channel", "production"], {
      env,
    });
    expect(published.exitCode, published.stderr).toBe(0);
    expect(published.stdout).toContain(`s3://${s3.bucket}`);

    const installed = await deploykit(
      [
        "install",
        "--app",
        "hello",
        "--channel",
        "production",
        "--root",
        join(dir, "host"),
        ...storeArgs,
        "--json",
      ],
      {
        env,
      },
    );
    expect(installed.exitCode, installed.stdout).toBe(0);
    expect(jsonLines(installed.stdout).at(-1)).toMatchObject({ result: { release: { version: "1.0.0" } } });
    expect(await readlink(join(dir, "host", "current"))).toContain("1.0.0");

    const releases = await deploykit(["releases", "--app", "hello", ...storeArgs], { env });
    expect(releases.stdout).toMatch(/1\.0\.0 {2}← production/);
  });

  it("a missing bucket is E_STORE_NOT_FOUND with a hint", async () => {
    const args = storeArgs.map((a) => (a.startsWith("s3://") ? "s3://no-such-bucket-here/x" : a));
    const run = await deploykit(["releases", "--app", "hello", ...args], { env });
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain("[E_STORE_NOT_FOUND]");
    expect(run.stderr).toContain("hint:");
  });
});
