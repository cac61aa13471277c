// One publish() in its own process (run as another user by the store-faults test): prints
// { code } of the failure or { published: true } on stdout.
import { createFsStore, isDeployKitError, publish } from "@deploykit/core";

const job = JSON.parse(process.argv[2]);
try {
  await publish(job.pkg, { store: createFsStore({ dir: job.store }) });
  process.stdout.write(`${JSON.stringify({ published: true })}\n`);
} catch (error) {
  process.stdout.write(`${JSON.stringify({ code: isDeployKitError(error) ? error.code : String(error) })}\n`);
}
