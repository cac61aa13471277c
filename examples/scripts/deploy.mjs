// Server side: deploy whatever a channel points at, with a health gate and automatic rollback.
// Usage: node deploy.mjs <storeDir> <app> <root> <port> [channel]
import { createFsStore, deploy } from "@deploykit/core";
import { process as processStrategy } from "@deploykit/runtimes";

const [storeDir, app, root, port, channel = "production"] = process.argv.slice(2);
if (!storeDir || !app || !root || !port) {
  console.error("usage: node deploy.mjs <storeDir> <app> <root> <port> [channel]");
  process.exit(2);
}
const result = await deploy({
  store: createFsStore({ dir: storeDir }),
  app,
  channel,
  root,
  strategy: processStrategy({ name: "web", port: Number(port) }),
  healthcheck: `http://127.0.0.1:${port}/health`,
  onEvent: (event) => event.type === "step:finish" && console.log(`✓ ${event.message}`),
});
if (result.rolledBack) {
  console.error(
    `✗ ${result.previous?.version} failed (${result.cause?.message}); ${result.release.version} is serving again`,
  );
  process.exit(1);
}
console.log(`${app} ${result.release.version} is live`);
