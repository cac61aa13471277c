// Test utility: an S3-compatible server for deploykit's tests and benches.
// See index.d.mts for the documented API.
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtemp, open, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import {
  CreateBucketCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";

export { startFaultProxy } from "./fault-proxy.mjs";

/** s3rver's only built-in key pair. */
export const S3RVER_CREDENTIALS = Object.freeze({ accessKeyId: "S3RVER", secretAccessKey: "S3RVER" });

const env = process.env;

function adminClient(endpoint, region, credentials) {
  return new S3Client({
    endpoint,
    region,
    credentials,
    forcePathStyle: true,
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
}

async function startExternal() {
  const endpoint = env.DEPLOYKIT_TEST_S3_ENDPOINT;
  const region = env.DEPLOYKIT_TEST_S3_REGION ?? env.AWS_REGION ?? "us-east-1";
  const credentials = {
    accessKeyId: env.DEPLOYKIT_TEST_S3_ACCESS_KEY_ID ?? env.AWS_ACCESS_KEY_ID ?? "",
    secretAccessKey: env.DEPLOYKIT_TEST_S3_SECRET_ACCESS_KEY ?? env.AWS_SECRET_ACCESS_KEY ?? "",
  };
  const client = adminClient(endpoint, region, credentials);
  let bucket = env.DEPLOYKIT_TEST_S3_BUCKET;
  if (!bucket) {
    bucket = `deploykit-test-${randomUUID().slice(0, 12)}`;
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
  }
  const prefix = `deploykit-test/${randomUUID()}`;
  return {
    kind: "external",
    endpoint,
    region,
    bucket,
    prefix,
    credentials,
    async corrupt(key, offset = 0) {
      const Key = `${prefix}/${key}`;
      const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key }));
      const body = Buffer.from(await got.Body.transformToByteArray());
      body[offset] ^= 0xff;
      await client.send(new PutObjectCommand({ Bucket: bucket, Key, Body: body, Metadata: got.Metadata }));
    },
    async stop() {
      for (;;) {
        const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `${prefix}/` }));
        const objects = (page.Contents ?? []).map((o) => ({ Key: o.Key }));
        if (objects.length === 0) break;
        await client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: objects } }));
      }
      client.destroy();
    },
  };
}

/** Starts s3rver as a child process and resolves with its port. */
async function spawnS3rver(directory, bucket, address) {
  const child = spawn(
    process.execPath,
    [
      "--openssl-legacy-provider",
      fileURLToPath(new URL("./s3rver-child.mjs", import.meta.url)),
      directory,
      bucket,
      address,
    ],
    { stdio: ["pipe", "pipe", "inherit"] },
  );
  const lines = createInterface({ input: child.stdout });
  const port = await new Promise((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`s3rver exited with ${code} before listening`)));
    lines.once("line", (line) => resolve(JSON.parse(line).port));
  });
  return { child, port };
}

async function startS3rver(options) {
  const directory = await mkdtemp(join(tmpdir(), "deploykit-s3rver-"));
  const bucket = options.bucket ?? `test-${randomUUID().slice(0, 12)}`;
  const address = options.address ?? "127.0.0.1";
  const { child, port } = await spawnS3rver(directory, bucket, address);
  const region = "us-east-1";
  const endpoint = `http://${address}:${port}`;
  const client = adminClient(endpoint, region, { ...S3RVER_CREDENTIALS });
  return {
    kind: "s3rver",
    endpoint,
    region,
    bucket,
    prefix: "",
    credentials: { ...S3RVER_CREDENTIALS },
    directory,
    pid: child.pid,
    async corrupt(key, offset = 0) {
      await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      const parts = key.split("/");
      const file = join(directory, bucket, ...parts.slice(0, -1), `${parts.at(-1)}._S3rver_object`);
      const handle = await open(file, "r+");
      try {
        const byte = Buffer.alloc(1);
        await handle.read(byte, 0, 1, offset);
        byte[0] ^= 0xff;
        await handle.write(byte, 0, 1, offset);
      } finally {
        await handle.close();
      }
    },
    async stop() {
      client.destroy();
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        await exited;
      }
      await rm(directory, { recursive: true, force: true });
    },
  };
}

export async function startS3(options = {}) {
  if (env.DEPLOYKIT_TEST_S3_ENDPOINT && !options.local && !options.address) return startExternal();
  return startS3rver(options);
}
