// The app the example strategy restarts: answers with <root>/current/VERSION, re-read on SIGUSR2.
// Usage: node app/server.mjs <root> <port> <pid file>
import { readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";

const [root, port, pidFile] = process.argv.slice(2);
const read = () => readFileSync(join(root, "current", "VERSION"), "utf8").trim();
let version = read();
process.on("SIGUSR2", () => {
  version = read();
});
process.on("SIGTERM", () => process.exit(0));
createServer((_request, response) => response.end(`${version}\n`)).listen(Number(port), "127.0.0.1", () => {
  writeFileSync(pidFile, `${process.pid}\n`);
});
