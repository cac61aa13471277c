// One SDK install in its own process, so its wall time and peak RSS are its own.
// Usage: node install-once.mjs <storeDir> <app> <version> <root>
// Prints one JSON line: { ms, maxRssKb }.
import { createFsStore, install } from "@deploykit/core";

const [storeDir, app, version, root] = process.argv.slice(2);
const started = performance.now();
await install({ store: createFsStore({ dir: storeDir }), app, version, root });
const ms = performance.now() - started;
console.log(JSON.stringify({ ms, maxRssKb: process.resourceUsage().maxRSS }));
