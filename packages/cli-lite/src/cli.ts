#!/usr/bin/env node
import { processIo } from "./io";
import { runCli } from "./run";

const controller = new AbortController();
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => controller.abort(new Error(`Interrupted by ${signal}`)));
}

runCli(process.argv.slice(2), processIo(controller.signal)).then((code) => {
  process.exitCode = code;
});
