import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { isDeployKitError, restart, strategyContext } from "@deploykit/core";
import { createRecordingRunner } from "@deploykit/core/testing";
import { command } from "@deploykit/runtimes";
import { afterEach, describe, expect, it } from "vitest";
import { createTestHost, type TestHost } from "./support/host";

let host: TestHost | undefined;
afterEach(async () => {
  await host?.remove();
  host = undefined;
});

describe("command()", () => {
  it("runs a shell string for real in the release folder with ctx.env, output as log events", async () => {
    host = await createTestHost("node-app");
    const release = await host.addRelease("1.0.0");
    const events: unknown[] = [];
    const strategy = command({ restart: 'echo "restarted $GREETING" > restarted.txt && echo done' });
    await restart(strategy, {
      app: "web",
      root: host.root,
      release,
      env: { GREETING: "hi" },
      onEvent: (e) => events.push(e),
    });
    expect(await readFile(join(release.dir, "restarted.txt"), "utf8")).toBe("restarted hi\n");
    expect(events).toContainEqual({ type: "log", step: "restart", stream: "stdout", line: "done" });
  });

  it("a failing command is E_COMMAND_FAILED; status maps exit codes to running", async () => {
    host = await createTestHost("node-app");
    const release = await host.addRelease("1.0.0");
    const failing = command({ restart: ["sh", "-c", "echo broken >&2; exit 4"], status: "exit 3" });
    const error = await restart(failing, { app: "web", root: host.root, release }).catch((e: unknown) => e);
    expect(isDeployKitError(error, "E_COMMAND_FAILED")).toBe(true);
    expect((error as Error).message).toContain("broken");
    expect(await failing.status?.(strategyContext({ app: "web", root: host.root, release }))).toEqual({
      running: false,
    });
  });

  it("systemctl restart goes through the runner as program + args (recording runner)", async () => {
    host = await createTestHost("node-app");
    const release = await host.addRelease("1.0.0");
    const runner = createRecordingRunner();
    await restart(command({ restart: ["systemctl", "restart", "web"] }), {
      app: "web",
      root: host.root,
      release,
      runner,
    });
    expect(runner.calls).toEqual([
      { kind: "run", command: "systemctl", args: ["restart", "web"], cwd: release.dir },
    ]);
  });

  it("refuses an empty command up front", () => {
    expect(() => command({ restart: "  " })).toThrow(/empty/);
  });
});
