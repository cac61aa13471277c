// One measured transfer through @deploykit/core/s3, run in its own process so its peak RSS is
// its own. argv[2]: JSON { op: "upload" | "download", file?, key, store: S3StoreOptions, body? }:
// an upload sends the file with putFile (publish's way), or with body "stream" as a read stream
// through put (lib-storage's multipart, for streams of unknown origin).
// Prints JSON { bytes, seconds, cpuMs (of the transfer: user + system, all threads), maxRssKiB, sha256 }.
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createS3Store } from "@deploykit/core/s3";

const job = JSON.parse(process.argv[2]);
const store = createS3Store(job.store);
const hash = createHash("sha256");
let bytes = 0;
if (job.op === "upload") {
  // Hashed before the clock starts: the check is the bench's, not part of the upload.
  for await (const chunk of createReadStream(job.file)) hash.update(chunk);
}
const started = performance.now();
const cpu = process.cpuUsage();
if (job.op === "upload") {
  const size = (await stat(job.file)).size;
  if (job.body === "stream")
    await store.put(job.key, createReadStream(job.file, { highWaterMark: 1024 * 1024 }), {
      contentLength: size,
    });
  else await store.putFile(job.key, job.file);
  bytes = size;
} else {
  const sink = new Writable({
    write(chunk, _encoding, done) {
      hash.update(chunk);
      bytes += chunk.length;
      done();
    },
  });
  await pipeline(await store.get(job.key), sink);
}
const seconds = (performance.now() - started) / 1000;
const { user, system } = process.cpuUsage(cpu);
store.destroy();
const result = {
  bytes,
  seconds,
  cpuMs: (user + system) / 1000,
  maxRssKiB: process.resourceUsage().maxRSS,
  sha256: hash.digest("hex"),
};
process.stdout.write(`${JSON.stringify(result)}\n`);
