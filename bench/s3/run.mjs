// bench/s3: deploykit's S3 store against curl on the same s3rver, in the same run.
// - upload and download of 100 MiB and 1 GiB generated files: MB/s and peak RSS, each transfer in
//   its own child process (process.resourceUsage().maxRSS; curl's from /usr/bin/time);
// - through the fault proxy throttling each connection to 20 MB/s: parallel ranged download vs a
//   single-stream GET (curl, and the store with concurrency 1).
// - multipart upload of 100 MiB vs curl's single PUT, 3 interleaved repeats (medians), with the
//   CPU time s3rver spends on each (from /proc), which is where the gap lies on this server.
// Targets: peak RSS of the 1 GiB run within 1.25x of the 100 MiB run and under 200 MB; throttled
// parallel download at least 3x faster than curl's single stream; multipart upload at least 0.8x
// curl's single PUT. Exits 1 when one is missed.
import { execFile } from "node:child_process";
import { randomFillSync } from "node:crypto";
import { readFileSync } from "node:fs";
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
const UPLOAD_TARGET = 0.8;
const REPEATS = 3;
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
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
// s3rver runs in a child process, the only one alive right after start: its CPU time (ms).
const serverPids = readFileSync(`/proc/${process.pid}/task/${process.pid}/children`, "utf8")
  .trim()
  .split(/\s+/);
const serverCpuMs = () =>
  serverPids.reduce((sum, pid) => {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return sum + ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  }, 0);
/** Runs `transfer` and adds the CPU time s3rver spent meanwhile to its result. */
async function withServerCpu(transfer) {
  const before = serverCpuMs();
  const result = await transfer();
  return { ...result, serverCpuMs: serverCpuMs() - before };
}
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

  // Multipart upload vs curl's single PUT, interleaved, 100 MiB.
  const payload = join(dir, "payload-upload.bin");
  await generate(payload, 100 * MiB);
  const uploadKey = "bench/upload.bin";
  const uploadUrl = `${s3.endpoint}/${s3.bucket}/${uploadKey}`;
  const mine = [];
  const theirs = [];
  for (let i = 0; i < REPEATS; i++) {
    const runOurs = () =>
      withServerCpu(() =>
        ours({ op: "upload", file: payload, key: uploadKey, store: storeFor(s3.endpoint) }),
      );
    const runCurl = () => withServerCpu(() => curl(dir, ["-T", payload, uploadUrl]));
    if (i % 2 === 0) {
      mine.push(await runOurs());
      theirs.push(await runCurl());
    } else {
      theirs.push(await runCurl());
      mine.push(await runOurs());
    }
  }
  await rm(payload);
  const uploadMbps = median(mine.map((r) => mbps(r.bytes, r.seconds)));
  const curlMbps = median(theirs.map((r) => mbps(r.bytes, r.seconds)));
  const uploadRatio = uploadMbps / curlMbps;

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
  console.log(`\nUpload of 100 MiB, ${REPEATS} interleaved repeats (medians); s3rver CPU per upload`);
  console.log("| client | MB/s | s3rver CPU |");
  console.log("|---|---|---|");
  const cpu = (runs) => `${median(runs.map((r) => r.serverCpuMs)).toFixed(0)} ms`;
  console.log(`| deploykit multipart (defaults) | ${uploadMbps.toFixed(0)} | ${cpu(mine)} |`);
  console.log(`| curl single PUT | ${curlMbps.toFixed(0)} | ${cpu(theirs)} |`);
  const uploadOk = uploadRatio >= UPLOAD_TARGET;
  console.log(
    `multipart upload vs curl PUT: ${uploadRatio.toFixed(2)}x (target >= ${UPLOAD_TARGET}x) ${uploadOk ? "OK" : "MISSED"}`,
  );
  if (!uploadOk) misses.push("multipart upload vs curl");
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
