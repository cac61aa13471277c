// Runs ONE publish or install against an S3 store in a fresh Node process, through the BUILT
// @deploykit/core, the way a user's deploy script would. argv[2] is a JSON job:
//   { op: "publish" | "install", store: S3StoreOptions, pkg?, app?, version?, channel?, root? }
// Prints exactly one JSON line when the operation settles: { ok: true, ... } or
// { ok: false, code, message, typed } (and sets exit code 1). No process.exit: if the event loop
// empties before the operation settles, Node exits 13 (unsettled top-level await) with no line.
import { install, isDeployKitError, publish } from "@deploykit/core";
import { createS3Store } from "@deploykit/core/s3";

const job = JSON.parse(process.argv[2]);
const store = createS3Store(job.store);
try {
  const result =
    job.op === "publish"
      ? await publish(job.pkg, { store, channel: job.channel })
      : await install({ store, app: job.app, version: job.version, channel: job.channel, root: job.root });
  process.stdout.write(
    `${JSON.stringify({ ok: true, version: result.manifest?.version ?? result.release?.version })}\n`,
  );
} catch (error) {
  process.stdout.write(
    `${JSON.stringify({ ok: false, typed: isDeployKitError(error), code: error?.code, message: String(error?.message) })}\n`,
  );
  process.exitCode = 1;
} finally {
  store.destroy();
}
