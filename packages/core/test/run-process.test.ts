// runProcess() with a timeout: the command ends with the processes it started, as `timeout` and
// a terminal's Ctrl-C end a whole job (a Procfile line runs as the child of `sh -c`).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createFsStore, install, isDeployKitError, publish, runProcess } from "@deploykit/core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { makePackage, tempDir } from "./support/package";

let dir: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir("dk-run-"));
  const store = createFsStore({ dir: join(dir, "store") });
  await publish(await makePackage(dir, "web", "1.0.0", { "server.js": "" }), { store });
  await install({ store, app: "web", version: "1.0.0", root: join(dir, "host") });
});
afterAll(() => cleanup());

/** Whether a process runs (a zombie waiting for its parent counts as gone). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

it("timeoutMs ends the command and its children, and says it timed out", async () => {
  let child = 0;
  const ran = runProcess({
    root: join(dir, "host"),
    command: ["sh", "-c", "sleep 600 & echo child=$!; wait"],
    timeoutMs: 1_000,
    onLine: (_stream, line) => {
      child = Number(/child=(\d+)/.exec(line)?.[1] ?? child);
    },
  });
  const error = await ran.catch((e: unknown) => e);
  expect(isDeployKitError(error, "E_COMMAND_FAILED") && error.message).toContain("timed out after 1000 ms");
  expect(child).toBeGreaterThan(0);
  const left = running(child);
  if (left) process.kill(child, "SIGKILL");
  expect(left, "the command's child outlived its timeout").toBe(false);
});
