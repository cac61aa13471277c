#!/usr/bin/env node
import { processIo } from "./io";
import { runCli } from "./run";

/** Shell convention: a command stopped by a signal exits 128 + the signal's number. */
const SIGNAL_EXIT = { SIGINT: 130, SIGTERM: 143 } as const;
let interrupted: keyof typeof SIGNAL_EXIT | undefined;

// The first SIGINT/SIGTERM aborts the operation, which finishes or undoes its current step and
// releases the lock; a second one ends the process at once.
const controller = new AbortController();
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    interrupted ??= signal;
    controller.abort(new Error(`Interrupted by ${signal}`));
  });
}

// `deploykit releases | head -1`: a closed pipe ends the output, not with a crash.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw error;
});

runCli(process.argv.slice(2), processIo(controller.signal)).then((code) => {
  process.exitCode = interrupted ? SIGNAL_EXIT[interrupted] : code;
});
