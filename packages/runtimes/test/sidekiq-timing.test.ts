import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { restart } from "@deploykit/core";
import { sidekiq } from "@deploykit/runtimes";
import { createFakeClock, createFakeProcessTable, createRecordingRunner } from "@deploykit/runtimes/testing";
import { afterEach, describe, expect, it } from "vitest";

// The KILL rule on the fake clock: an old sidekiq that never exits after TERM is KILLed only once
// timeout + 5 s have passed, never earlier.
let root: string | undefined;
afterEach(async () => {
  if (root) await rm(root, { recursive: true, force: true });
  root = undefined;
});

describe("sidekiq() KILL timing (fakes)", () => {
  it("TSTP, start, TERM, and KILL no earlier than timeout + 5 s", async () => {
    root = await mkdtemp(join(tmpdir(), "dk-sidekiq-timing-"));
    const pidFile = join(root, "shared/tmp/pids/sidekiq.pid");
    await mkdir(join(root, "shared/tmp/pids"), { recursive: true });
    await mkdir(join(root, "shared/log"), { recursive: true });
    await writeFile(pidFile, "500\n");
    const processes = createFakeProcessTable([500]);
    processes.pidFiles.set(pidFile, 500);
    const clock = createFakeClock(0);
    const timeline: string[] = [];
    processes.onSignal = (pid, signal) => {
      timeline.push(`${clock.now()} ${signal} ${pid}`);
      if (signal === "SIGKILL") processes.alive.delete(pid); // TERM is ignored: a stuck job
    };
    const runner = createRecordingRunner();
    runner.nextPid = 600;
    const spawn = runner.spawnDetached.bind(runner);
    runner.spawnDetached = async (command, args, options) => {
      const started = await spawn(command, args, options);
      processes.alive.add(started.pid);
      await writeFile(
        options.logFile,
        `2026-01-01T00:00:00Z pid=${started.pid} tid=1 INFO: Running in ruby\n`,
      );
      return started;
    };
    const release = { version: "2.0.0", dir: join(root, "releases/2.0.0"), manifest: {} as never };
    const result = await restart(sidekiq({ timeout: 25 }), {
      app: "jobs",
      root,
      release,
      processes,
      clock,
      runner,
    });
    expect(timeline[0]).toBe("0 SIGTSTP 500");
    expect(timeline[1]).toMatch(/^\d+ SIGTERM 500$/);
    const term = Number(timeline[1]?.split(" ")[0]);
    const kill = timeline.find((line) => line.endsWith("SIGKILL 500"));
    expect(Number(kill?.split(" ")[0]) - term).toBeGreaterThanOrEqual(30_000);
    expect(result).toMatchObject({ pids: [600], details: { oldPid: 500, killed: true } });
    // The start goes through core's launchScript: sh -c, .profile.d sourced, then exec.
    expect(runner.calls[0]).toMatchObject({ kind: "spawn", command: "sh" });
    expect(runner.calls[0]?.args?.[0]).toBe("-c");
    expect(runner.calls[0]?.args?.[1]).toContain("exec 'sidekiq' '-e' 'production' '-t' '25'");
  });
});
