#!/usr/bin/env node
import { processIo } from "./io";
import { runCli } from "./run";

const controller = new AbortController();
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => controller.abort(new Error(`Interrupted by ${signal}`)));
}

// `deploykit releases | head -1`: a closed pipe ends the output, not with a crash.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw error;
});

runCli(process.argv.slice(2), processIo(controller.signal)).then((code) => {
  process.exitCode = code;
});
