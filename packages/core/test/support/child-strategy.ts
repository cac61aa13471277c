import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import type { RuntimeStrategy, StrategyContext } from "@deploykit/core";

/** The `server.js` of a test release: answers every request with `version` (HTTP 500 unless `healthy`) on $PORT. */
export const server = (version: string, healthy = true) => `
const http = require("node:http");
http.createServer((req, res) => {
  res.statusCode = ${healthy ? 200 : 500};
  res.end("${version}");
}).listen(Number(process.env.PORT), "127.0.0.1");
`;

/**
 * A minimal real strategy for core's tests: one child `node server.js` in the live release,
 * replaced on restart; `stopAll()` stops it (call it in the test's cleanup).
 */
export function childStrategy(port: number): RuntimeStrategy & { stopAll(): Promise<void> } {
  let child: ChildProcess | undefined;
  const stop = async () => {
    if (!child || child.exitCode !== null) return;
    const exited = once(child, "exit");
    child.kill("SIGTERM");
    await exited;
  };
  return {
    name: "test-child",
    async restart(ctx: StrategyContext) {
      await stop();
      child = spawn(process.execPath, [join(ctx.release.dir, "server.js")], {
        env: { ...process.env, PORT: String(port) },
        stdio: "ignore",
      });
      return { strategy: "test-child", pids: [child.pid as number] };
    },
    stopAll: stop,
  };
}
