// bench/s3: deploykit's S3 store against curl on the same s3rver, in the same run.
// - upload and download of 100 MiB and 1 GiB generated files: MB/s and peak RSS, each transfer in
//   its own child process (process.resourceUsage().maxRSS; curl's from /usr/bin/time);
// - through the fault proxy throttling each connection to 20 MB/s: parallel ranged download vs a
//   single-stream GET (curl, and the store with concurrency 1).
// Targets: peak RSS of the 1 GiB run within 1.25x of the 100 MiB run and under 200 MB; throttled
// parallel download at least 3x faster than curl's single stream. Exits 1 when one is missed.
import { execFile } from "node:child_process";
import { randomFillSync } from "node:crypto";
import { mkdtemp, open, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { startFaultProxy, startS3 } from "../../test-support/s3/index.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const MiB = 1024 * 1024;
const SIZES = [
  ["100 MiB", 100 * MiB],
  ["1 GiB", 1024 * MiB],
];
const THROTTLE = 20_000_000;
const mbps = (bytes, seconds) => bytes / 1e6 / seconds;

async function generate(path, size) {
  const file = await open(path, "w");
  const block = Buffer.allocUnsafe(8 * MiB);
  try {
    for (let written = 0; written < size; written += block.length) {
      randomFillSync(block);
      await file.write(block, 0, Math.min(block.length, size - written));
    }
  } finally {
    await file.close();
  }
}

const run = promisify(execFile);

/** Runs one deploykit transfer in a child process (async: the proxy lives in this process). */
async function ours(job) {
  const { stdout } = await run(process.execPath, [join(here, "transfer.mjs"), JSON.stringify(job)], {
    env: { ...process.env, NODE_NO_WARNINGS: "1" },
  });
  return JSON.parse(stdout.trim().split("\n").at(-1));
}

/** Runs curl once (a single PUT or GET, SigV4-signed) under /usr/bin/time. */
async function curl(dir, args) {
  const timing = join(dir, "time.txt");
  const { stdout } = await run("/usr/bin/time", [
    "-f",
    "%M",
    "-o",
    timing,
    "curl",
    "-sS",
    "-f",
    "--aws-sigv4",
    "aws:amz:us-east-1:s3",
    "--user",
    "S3RVER:S3RVER",
    "-H",
    "x-amz-content-sha256: UNSIGNED-PAYLOAD",
    "-w",
    "%{time_total} %{size_upload} %{size_download}",
    ...args,
  ]);
  const [seconds, up, down] = stdout.trim().split(" ").map(Number);
  const maxRssKiB = Number((await readFile(timing, "utf8")).trim().split("\n").at(-1));
  return { seconds, bytes: Math.max(up, down), maxRssKiB };
}

const dir = await mkdtemp(join(tmpdir(), "deploykit-bench-s3-"));
const s3 = await startS3({ local: true });
const proxy = await startFaultProxy({ target: s3.endpoint });
const storeFor = (endpoint, extra = {}) => ({
  bucket: s3.bucket,
  endpoint,
  region: s3.region,
  credentials: s3.credentials,
  ...extra,
});
const rows = [];
const misses = [];
const rss = {};
try {
  for (const [label, size] of SIZES) {
    const file = join(dir, `payload-${size}.bin`);
    await generate(file, size);
    const key = `bench/${size}.bin`;
    const url = `${s3.endpoint}/${s3.bucket}/${key}`;
    const up = await ours({ op: "upload", file, key, store: storeFor(s3.endpoint) });
    const curlUp = await curl(dir, ["-T", file, url]);
    const down = await ours({ op: "download", key, store: storeFor(s3.endpoint) });
    if (down.sha256 !== up.sha256 || down.bytes !== size) throw new Error(`download of ${label} differs`);
    const curlDown = await curl(dir, ["-o", "/dev/null", url]);
    rows.push(["upload (multipart)", label, up, curlUp], ["download (ranged GETs)", label, down, curlDown]);
    if (size <= 100 * MiB) {
      // Diagnostic: the same bytes as one PutObject (lib-storage buffers the whole body), to show
      // what s3rver's multipart path (parts on disk, then concatenated on complete) costs.
      const whole = await ours({
        op: "upload",
        file,
        key,
        store: storeFor(s3.endpoint, { uploadPartSize: size + MiB }),
      });
      rows.push(["upload as one PUT (diagnostic)", label, whole, curlUp]);
    }
    rss[`upload ${label}`] = up.maxRssKiB;
    rss[`download ${label}`] = down.maxRssKiB;
    await rm(file);
  }

  // Throttled: every proxied connection limited to 20 MB/s.
  const size = 100 * MiB;
  const key = `bench/${size}.bin`;
  proxy.faults.bytesPerSecond = THROTTLE;
  const parallel = await ours({ op: "download", key, store: storeFor(proxy.endpoint) });
  const single = await ours({ op: "download", key, store: storeFor(proxy.endpoint, { concurrency: 1 }) });
  const curlSingle = await curl(dir, ["-o", "/dev/null", `${proxy.endpoint}/${s3.bucket}/${key}`]);
  delete proxy.faults.bytesPerSecond;

  const kib = (k) => `${(k / 1024).toFixed(0)} MB`;
  console.log("\nS3 store vs curl (single PUT/GET) on s3rver, loopback; MB = 10^6 bytes, RSS in MiB");
  console.log(
    "| transfer | size | deploykit MB/s | deploykit peak RSS | curl MB/s | curl peak RSS | deploykit/curl speed |",
  );
  console.log("|---|---|---|---|---|---|---|");
  for (const [op, label, o, c] of rows) {
    const a = mbps(o.bytes, o.seconds);
    const b = mbps(c.bytes, c.seconds);
    console.log(
      `| ${op} | ${label} | ${a.toFixed(0)} | ${kib(o.maxRssKiB)} | ${b.toFixed(0)} | ${kib(c.maxRssKiB)} | ${(a / b).toFixed(2)}x |`,
    );
  }
  for (const op of ["upload", "download"]) {
    const small = rss[`${op} 100 MiB`];
    const large = rss[`${op} 1 GiB`];
    const ratio = large / small;
    const ok = ratio <= 1.25 && large / 1024 < 200;
    console.log(
      `${op}: peak RSS 1 GiB / 100 MiB = ${ratio.toFixed(2)} (target <= 1.25), 1 GiB peak ${kib(large)} (target < 200) ${ok ? "OK" : "MISSED"}`,
    );
    if (!ok) misses.push(`${op} RSS`);
  }
  const p = mbps(parallel.bytes, parallel.seconds);
  const s = mbps(single.bytes, single.seconds);
  const c = mbps(curlSingle.bytes, curlSingle.seconds);
  console.log(`\nThrottled proxy (${THROTTLE / 1e6} MB/s per connection), 100 MiB download`);
  console.log("| client | MB/s | seconds | vs curl single stream |");
  console.log("|---|---|---|---|");
  console.log(
    `| deploykit parallel ranged GETs (defaults) | ${p.toFixed(1)} | ${parallel.seconds.toFixed(2)} | ${(p / c).toFixed(2)}x |`,
  );
  console.log(
    `| deploykit concurrency 1 | ${s.toFixed(1)} | ${single.seconds.toFixed(2)} | ${(s / c).toFixed(2)}x |`,
  );
  console.log(`| curl single GET | ${c.toFixed(1)} | ${curlSingle.seconds.toFixed(2)} | 1.00x |`);
  const fast = p / c >= 3;
  console.log(`parallel vs single-stream: ${(p / c).toFixed(2)}x (target >= 3x) ${fast ? "OK" : "MISSED"}`);
  if (!fast) misses.push("throttled parallel download");
} finally {
  await proxy.stop();
  await s3.stop();
  await rm(dir, { recursive: true, force: true });
}
if (misses.length) {
  console.log(`missed: ${misses.join(", ")}`);
  process.exit(1);
}
