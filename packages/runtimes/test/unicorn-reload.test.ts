import { copyFile, readFile } from "node:fs/promises";
import { join } from "node:path";
import { restart, strategyContext } from "@deploykit/core";
import { unicorn } from "@deploykit/runtimes";
import { afterEach, describe, expect, it } from "vitest";
import { createTestHost, fetchText, fixture, freePort, type TestHost } from "./support/host";
import { childPidsOf } from "./support/proc";

// mode: "reload" = HUP, for preload_app false: the master stays, its workers are replaced and
// load the code `current` points at. Real Debian unicorn.
let host: TestHost | undefined;
let stop: (() => Promise<void>) | undefined;
afterEach(async () => {
  await stop?.();
  await host?.remove();
  host = stop = undefined;
});

describe("unicorn({ mode: 'reload' })", () => {
  it("HUP replaces every worker and the new code answers; the master stays", async () => {
    host = await createTestHost("rack-app");
    const port = await freePort();
    const config = join(host.root, "shared", "unicorn.rb");
    await copyFile(join(fixture("rack-app"), "unicorn.rb"), config);
    const env = { DK_ROOT: host.root, DK_PORT: String(port), DK_PRELOAD: "false" };
    const strategy = unicorn({
      mode: "reload",
      workers: 2,
      timeout: 20,
      healthcheck: `http://127.0.0.1:${port}/health`,
      startCommand: `unicorn -E none -D -c ${config}`,
    });
    const v1 = await host.addRelease("1.0.0", { processes: {} });
    await host.activate(v1);
    const started = await restart(strategy, { app: "web", root: host.root, release: v1, env });
    stop = () =>
      strategy.stop?.(strategyContext({ app: "web", root: host?.root ?? "", release: v1 })) ??
      Promise.resolve();
    const master = started.pids?.[0] ?? 0;
    const before = await childPidsOf(master);
    expect(await fetchText(`http://127.0.0.1:${port}/`)).toBe("1.0.0");

    const v2 = await host.addRelease("2.0.0", { processes: {} });
    await host.activate(v2);
    const reloaded = await restart(strategy, { app: "web", root: host.root, release: v2, env });
    expect(reloaded.details?.mode).toBe("reload");
    expect(reloaded.pids).toEqual([master]);
    expect(Number(await readFile(join(host.root, "shared/tmp/pids/unicorn.pid"), "utf8"))).toBe(master);
    const after = await childPidsOf(master);
    expect(after.some((pid) => before.includes(pid))).toBe(false);
    expect(await fetchText(`http://127.0.0.1:${port}/`)).toBe("2.0.0");
  }, 60_000);
});
