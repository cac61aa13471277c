// CI side: build an app directory into a .tgz and publish it, moving a channel.
// Usage: node build-and-publish.mjs <appDir> <name> <version> <storeDir> [channel]
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createFsStore, publish } from "@deploykit/core";
import { buildPackage } from "@deploykit/pkgr";

const [appDir, name, version, storeDir, channel = "production"] = process.argv.slice(2);
if (!appDir || !name || !version || !storeDir) {
  console.error("usage: node build-and-publish.mjs <appDir> <name> <version> <storeDir> [channel]");
  process.exit(2);
}
const onEvent = (event) => event.type === "step:finish" && console.log(`✓ ${event.message}`);
// The artifact goes to a fresh temp dir: never into the working directory (a repo checkout).
const outDir = await mkdtemp(join(tmpdir(), "deploykit-build-"));
const pkg = await buildPackage({ appDir, name, version, outDir, onEvent });
const published = await publish(pkg, { store: createFsStore({ dir: storeDir }), channel, onEvent });
console.log(
  JSON.stringify({ artifact: pkg.path, unchanged: published.unchanged, channel: published.channel }, null, 2),
);
