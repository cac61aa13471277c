// A real, separate deploykit process for the lock and crash tests: it runs install() from the
// built package (as a user's script would) and reports on stdout, one JSON line per fact.
//
// argv[2]: JSON { store, root, app, versions, rounds, index, marker?, killAt?, barrier? }
// - barrier: wait for a line on stdin before each round and print { round } after it, so the
//   parent starts every process's round at the same moment (the most contention).
// - marker: a file created exclusively (O_EXCL) from the first event of an install to the
//   switch, i.e. strictly inside the lock; finding it already there means two were inside.
// - killAt: "<event type>:<step>[:<n>]" — SIGKILL itself at the n-th (default 1st) such event,
//   a named step boundary of the crash test.
import { unlinkSync, writeFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { setTimeout as delay } from "node:timers/promises";
import { createFsStore, install, isDeployKitError } from "@deploykit/core";

const job = JSON.parse(process.argv[2]);
const store = createFsStore({ dir: job.store });
const say = (fact) => process.stdout.write(`${JSON.stringify(fact)}\n`);
const [killEvent, killCount = "1"] = (job.killAt ?? "").split(/:(?=\d+$)/);
let seen = 0;
let overlaps = 0;

/** Events of one install() call: inside the lock from its first event until its switch. */
function eventsOfOneInstall() {
  let phase = "before";
  return (event) => {
    if (job.marker && phase === "before" && event.type !== "warning") {
      phase = "inside";
      try {
        writeFileSync(job.marker, String(process.pid), { flag: "wx" });
      } catch {
        overlaps++;
      }
    }
    if (job.marker && phase === "inside" && event.type === "step:finish" && event.step === "switch") {
      phase = "after";
      unlinkSync(job.marker);
    }
    if (job.killAt && `${event.type}:${event.step}` === killEvent && ++seen === Number(killCount)) {
      process.kill(process.pid, "SIGKILL");
    }
  };
}

say({ ready: true });
const go = job.barrier ? createInterface({ input: process.stdin })[Symbol.asyncIterator]() : undefined;
let installs = 0;
for (let round = 0; round < job.rounds; round++) {
  await go?.next();
  const version = job.versions[(round + job.index) % job.versions.length];
  for (;;) {
    try {
      const result = await install({
        store,
        app: job.app,
        version,
        root: job.root,
        lockTimeoutMs: 60_000,
        onEvent: eventsOfOneInstall(),
      });
      if (!result.unchanged) installs++;
      break;
    } catch (error) {
      // An older deploykit refuses at once instead of waiting: retry, as a deploy script would.
      if (!isDeployKitError(error, "E_LOCKED")) {
        say({ error: { code: error.code, message: error.message } });
        process.exit(1);
      }
      await delay(5 + Math.random() * 20);
    }
  }
  if (go) say({ round });
}
go?.return?.();
say({ done: true, installs, overlaps });
