// Runs the example strategy for real: start the app on v1, switch `current` to v2, restart it
// through core's restart() with versionSignal, and show the answer before and after.
import { restart } from "@deploykit/core";
import { startExampleHost } from "./host.mjs";
import { versionSignal } from "./version-signal.mjs";

const host = await startExampleHost();
try {
  const strategy = versionSignal({ pidFile: host.pidFile, url: host.url });
  console.log("before:", (await (await fetch(host.url)).text()).trim());
  const v2 = await host.release("2.0.0");
  const result = await restart(strategy, { app: "example", root: host.root, release: v2 });
  console.log(`restarted with ${result.strategy} (pid ${result.pids?.[0]})`);
  console.log("after:", (await (await fetch(host.url)).text()).trim());
} finally {
  await host.stop();
}
