import { restart } from "@deploykit/core";
import { sidekiq } from "@deploykit/runtimes";
import { createFakeClock, createRecordingRunner } from "@deploykit/runtimes/testing";
import { describe, expect, it } from "vitest";

// sidekiq under a systemd unit (no systemd here: the recording runner plays systemctl).
describe("sidekiq({ service })", () => {
  it("quiets the unit's main process before systemctl restart, then waits for active", async () => {
    const runner = createRecordingRunner();
    runner.respond = (call) =>
      call.args[0] === "is-active"
        ? { stdout: "active\n" }
        : call.args[0] === "show"
          ? { stdout: "321\n" }
          : {};
    const release = { version: "2.0.0", dir: "/srv/jobs/releases/2.0.0", manifest: {} as never };
    const result = await restart(sidekiq({ service: "sidekiq.service" }), {
      app: "jobs",
      root: "/srv/jobs",
      release,
      runner,
      clock: createFakeClock(),
    });
    expect(runner.calls.map((c) => [c.command, ...c.args].join(" "))).toEqual([
      "systemctl kill --signal=TSTP --kill-who=main sidekiq.service",
      "systemctl restart sidekiq.service",
      "systemctl is-active sidekiq.service",
      "systemctl show -p MainPID --value sidekiq.service",
    ]);
    expect(result).toMatchObject({ strategy: "sidekiq", pids: [321] });
  });
});
