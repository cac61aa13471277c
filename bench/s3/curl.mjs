// curl as the baseline S3 client of bench/s3: a single SigV4-signed PUT or GET, and the same
// multipart upload deploykit does (create, the parts several at a time, complete), so the two
// clients can be compared on the same server doing the same work.
import { execFile } from "node:child_process";
import { open, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

const signed = (credentials) => [
  "-sS",
  "-f",
  "--aws-sigv4",
  "aws:amz:us-east-1:s3",
  "--user",
  `${credentials.accessKeyId}:${credentials.secretAccessKey}`,
  "-H",
  "x-amz-content-sha256: UNSIGNED-PAYLOAD",
];

/**
 * Runs curl under /usr/bin/time. Returns its stdout, wall seconds (timed here, process start
 * included) and CPU ms (user + system).
 */
async function timed(dir, args) {
  const timing = join(dir, "time.txt");
  const started = performance.now();
  const { stdout } = await run("/usr/bin/time", ["-f", "%M %U %S", "-o", timing, "curl", ...args], {
    maxBuffer: 1 << 24,
  });
  const seconds = (performance.now() - started) / 1000;
  const [maxRssKiB, user, system] = (await readFile(timing, "utf8")).trim().split("\n").at(-1).split(" ");
  return { stdout, seconds, cpuMs: (Number(user) + Number(system)) * 1000, maxRssKiB: Number(maxRssKiB) };
}

/** One PUT (`-T file`) or GET (`-o /dev/null`) of `url`: { seconds, bytes, cpuMs, maxRssKiB }. */
export async function curlOnce(dir, credentials, args) {
  const out = await timed(dir, [...signed(credentials), "-w", "%{size_upload} %{size_download}", ...args]);
  const [up, down] = out.stdout.trim().split(" ").map(Number);
  return { ...out, bytes: Math.max(up, down) };
}

/**
 * Cuts `file` into `partSize` part files under `dir` once (not timed), for
 * {@link curlMultipart}: curl uploads whole files, not ranges.
 */
export async function splitParts(dir, file, partSize) {
  const source = await open(file, "r");
  const parts = [];
  try {
    const buffer = Buffer.allocUnsafe(partSize);
    for (let n = 1; ; n++) {
      const { bytesRead } = await source.read(buffer, 0, partSize, (n - 1) * partSize);
      if (bytesRead === 0) break;
      const path = join(dir, `part-${n}`);
      await writeFile(path, buffer.subarray(0, bytesRead));
      parts.push(path);
    }
  } finally {
    await source.close();
  }
  return parts;
}

/**
 * A multipart upload with curl, as a script would do it: CreateMultipartUpload, the parts with
 * `--parallel --parallel-max <parallel>` in one curl, CompleteMultipartUpload. Returns the wall
 * seconds and CPU ms of the three curl runs together.
 */
export async function curlMultipart(dir, credentials, url, parts, parallel) {
  const auth = signed(credentials);
  const create = await timed(dir, [...auth, "-X", "POST", `${url}?uploads`]);
  const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(create.stdout)?.[1];
  if (!uploadId) throw new Error(`curl: no UploadId in ${create.stdout}`);
  const partUrl = (n) => `${url}?partNumber=${n}&uploadId=${encodeURIComponent(uploadId)}`;
  const uploads = await timed(dir, [
    ...auth,
    "--parallel",
    "--parallel-max",
    String(parallel),
    "-w",
    "%{url} %header{etag}\\n",
    ...parts.flatMap((path, i) => ["-T", path, partUrl(i + 1)]),
  ]);
  const etags = new Map(
    uploads.stdout
      .trim()
      .split("\n")
      .map((line) => {
        const [partUrlSeen, etag] = line.trim().split(" ");
        return [Number(new URL(partUrlSeen).searchParams.get("partNumber")), etag];
      }),
  );
  const body = join(dir, "complete.xml");
  await writeFile(
    body,
    `<CompleteMultipartUpload>${parts.map((_, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${etags.get(i + 1)}</ETag></Part>`).join("")}</CompleteMultipartUpload>`,
  );
  const complete = await timed(dir, [
    ...auth,
    "-X",
    "POST",
    "-H",
    "content-type: application/xml",
    "--data-binary",
    `@${body}`,
    `${url}?uploadId=${encodeURIComponent(uploadId)}`,
  ]);
  await rm(body);
  const steps = [create, uploads, complete];
  return {
    seconds: steps.reduce((sum, s) => sum + s.seconds, 0),
    cpuMs: steps.reduce((sum, s) => sum + s.cpuMs, 0),
  };
}
