// bench/sign: what signature verification adds to an install, measured against the same install
// without a signature in the same run (the baseline is deploykit's own unsigned install: no other
// tool installs a deploykit release).
// - a 200 MB artifact (incompressible, gzip -1), published signed to one filesystem store and
//   unsigned to another; PAIRS installs of each into fresh roots, in alternating order: medians,
//   difference and ratio (reported: on a shared 2-core machine one 200 MB install varies by
//   +-20%, far more than the cost measured, so the ratio is not a target). Every byte the installs
//   read from the store is counted: the signed install may read only the signature file more
//   (target: < 1 KiB more), i.e. the signature covers the manifest, not the artifact a second time.
// - the same pair of installs with a 1 KiB artifact, SMALL_PAIRS times: the median of the paired
//   differences is the verification cost itself (it does not depend on the artifact's size, as the
//   byte count shows, and the small install is steady enough to resolve it). Target: < 5 ms.
// Exits 1 when a target is missed.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Transform } from "node:stream";
import { createFsStore, generateSigningKey, install, publish, readSecretKey } from "@deploykit/core";
import { incompressibleRelease, median } from "../support/release.mjs";

const MB = 1_000_000;
const BIG = 200 * MB;
const PAIRS = Number(process.argv[2] ?? 5);
const SMALL_PAIRS = Number(process.argv[3] ?? 101);
const ADDED_MS_TARGET = 5;
const EXTRA_BYTES_TARGET = 1024;
const work = mkdtempSync(join(tmpdir(), "bench-sign-"));

/** A .tgz of `bytes` random bytes (4 files) and its manifest, as buildPackage would describe it. */
const artifact = (app, version, bytes) =>
  incompressibleRelease(work, { app, version, size: bytes, files: 4, processes: { web: "true" } });

const secretKeyPath = join(work, "build.key");
const { publicKey } = await generateSigningKey({ secretKeyPath });
const signKey = await readSecretKey(secretKeyPath);
/** A store that counts the bytes read from it into `read.bytes`. */
function counting(store) {
  const read = { bytes: 0 };
  const get = async (key, options) =>
    (await store.get(key, options)).pipe(
      new Transform({
        transform(chunk, _encoding, done) {
          read.bytes += chunk.length;
          done(null, chunk);
        },
      }),
    );
  const wrapped = {
    location: store.location,
    get,
    put: (...args) => store.put(...args),
    head: (key) => store.head(key),
    list: (prefix) => store.list(prefix),
    delete: (key) => store.delete(key),
  };
  return { store: wrapped, read };
}

const signedStore = counting(createFsStore({ dir: join(work, "signed") }));
const unsignedStore = counting(createFsStore({ dir: join(work, "unsigned") }));
const signed = signedStore.store;
const unsigned = unsignedStore.store;

async function publishBoth(pkg) {
  await publish(pkg, { store: signed, channel: "production", signKey });
  await publish(pkg, { store: unsigned, channel: "production" });
}

let roots = 0;
/** One install into a fresh root (removed afterwards), in ms. */
async function timedInstall(app, trusted) {
  const root = join(work, `root-${roots++}`);
  const options = { app, channel: "production", root };
  const started = performance.now();
  if (trusted) await install({ ...options, store: signed, trustedKeys: [publicKey] });
  else await install({ ...options, store: unsigned });
  const ms = performance.now() - started;
  rmSync(root, { recursive: true, force: true });
  return ms;
}

async function pairs(app, count) {
  const times = { signed: [], unsigned: [], diffs: [] };
  for (let i = 0; i < count; i++) {
    const order = i % 2 === 0 ? [true, false] : [false, true];
    const pair = {};
    for (const trusted of order) pair[trusted] = await timedInstall(app, trusted);
    times.signed.push(pair.true);
    times.unsigned.push(pair.false);
    times.diffs.push(pair.true - pair.false);
  }
  return times;
}

try {
  const big = artifact("big", "1.0.0", BIG);
  await publishBoth(big);
  await publishBoth(artifact("small", "1.0.0", 1024));
  await pairs("small", 3); // warm-up: module loading, first fs touches

  signedStore.read.bytes = 0;
  unsignedStore.read.bytes = 0;
  const bigTimes = await pairs("big", PAIRS);
  const extraBytes = (signedStore.read.bytes - unsignedStore.read.bytes) / PAIRS;
  const smallTimes = await pairs("small", SMALL_PAIRS);
  const bigSigned = median(bigTimes.signed);
  const bigUnsigned = median(bigTimes.unsigned);
  const added = median(smallTimes.diffs);

  const row = (label, s, u, note) =>
    console.log(
      `${label.padEnd(34)} ${s.toFixed(1).padStart(9)} ${u.toFixed(1).padStart(9)} ${(s - u).toFixed(1).padStart(9)} ${(s / u).toFixed(3).padStart(7)}  ${note}`,
    );
  console.log(
    `${"install (median ms)".padEnd(34)} ${"signed".padStart(9)} ${"unsigned".padStart(9)} ${"diff".padStart(9)} ${"ratio".padStart(7)}`,
  );
  row(
    `${(big.manifest.artifact.size / MB).toFixed(0)} MB artifact, ${PAIRS} pairs`,
    bigSigned,
    bigUnsigned,
    `paired-diff median ${median(bigTimes.diffs).toFixed(1)} ms; store bytes read per install: ${(unsignedStore.read.bytes / PAIRS).toFixed(0)} unsigned, +${extraBytes.toFixed(0)} signed (target < ${EXTRA_BYTES_TARGET})`,
  );
  row(
    `1 KiB artifact, ${SMALL_PAIRS} pairs`,
    median(smallTimes.signed),
    median(smallTimes.unsigned),
    `paired-diff median ${added.toFixed(2)} ms = verification cost (target < ${ADDED_MS_TARGET} ms)`,
  );

  const misses = [];
  if (!(added < ADDED_MS_TARGET))
    misses.push(`verification adds ${added.toFixed(2)} ms (target < ${ADDED_MS_TARGET} ms)`);
  if (!(extraBytes < EXTRA_BYTES_TARGET))
    misses.push(
      `the signed install reads ${extraBytes.toFixed(0)} more bytes (target < ${EXTRA_BYTES_TARGET})`,
    );
  console.log(misses.length ? `MISSED: ${misses.join("; ")}` : "targets met");
  process.exitCode = misses.length ? 1 : 0;
} finally {
  rmSync(work, { recursive: true, force: true });
}
