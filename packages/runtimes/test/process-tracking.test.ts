import { existsSync } from "node:fs";
import { join } from "node:path";
import { isDeployKitError, type RestartContext, restart, strategyContext } from "@deploykit/core";
import { process as processStrategy } from "@deploykit/runtimes";
import { afterEach, describe, expect, it } from "vitest";
import { createTestHost, fetchText, freePort, type TestHost } from "./support/host";

const hosts: TestHost[] = [];
const running: [ReturnType<typeof processStrategy>, RestartContext][] = [];

afterEach(async () => {
  for (const [strategy, ctx] of running.splice(0))
    await strategy.stop?.(strategyContext(ctx)).catch(() => {});
  for (const host of hosts.splice(0)) await host.remove();
});

const newHost = async () => {
  const host = await createTestHost("node-app");
  hosts.push(host);
  return host;
};

describe("process() keeps track of what serves its port", () => {
  it("issue 17 input 4: a port another app root already serves is E_PORT_IN_USE naming its pid and release, nothing started", async () => {
    const port = await freePort();
    const first = await newHost();
    const web = processStrategy({ port, stopTimeoutMs: 5_000 });
    const v1 = await first.addRelease("1.0.0");
    const ctxA = { app: "web", root: first.root, release: v1 };
    running.push([web, ctxA]);
    const served = await restart(web, ctxA);
    expect(await fetchText(`http://127.0.0.1:${port}/`)).toBe("1.0.0");

    const second = await newHost();
    const other = processStrategy({ port });
    const v2 = await second.addRelease("2.0.0");
    const ctxB = { app: "web", root: second.root, release: v2 };
    running.push([other, ctxB]);
    const error = await restart(other, ctxB).catch((e: unknown) => e);
    expect(isDeployKitError(error, "E_PORT_IN_USE")).toBe(true);
    const { owner } = (
      error as { details: { owner: { pid: number; pgid: number; release?: { version: string } } } }
    ).details;
    // The node server under the started `sh`, in its process group.
    expect(owner.pgid).toBe(served.pids?.[0]);
    expect(owner.release?.version).toBe("1.0.0");
    expect((error as Error).message).toContain(`pid ${owner.pid} in ${v1.dir} (release 1.0.0)`);
    expect(existsSync(join(second.root, "shared/log/web.log"))).toBe(false);
    expect(await fetchText(`http://127.0.0.1:${port}/`)).toBe("1.0.0");
  });

  it("issue 17 input 5: a command that daemonises itself is E_DAEMONIZED, leaves no server behind, and the next start serves", async () => {
    const port = await freePort();
    const host = await newHost();
    const web = processStrategy({ port, stopTimeoutMs: 5_000 });
    const v1 = await host.addRelease("1.0.0", {
      processes: { web: "setsid node server.js </dev/null >/dev/null 2>&1 &" },
    });
    const ctx1 = { app: "web", root: host.root, release: v1 };
    const error = await restart(web, ctx1).catch((e: unknown) => e);
    expect(isDeployKitError(error, "E_DAEMONIZED")).toBe(true);
    expect((error as { hint?: string }).hint).toMatch(/foreground/);
    expect(await fetchText(`http://127.0.0.1:${port}/`)).toBeUndefined();

    const v2 = await host.addRelease("2.0.0");
    const ctx2 = { app: "web", root: host.root, release: v2, previous: v1 };
    running.push([web, ctx2]);
    await restart(web, ctx2);
    expect(await fetchText(`http://127.0.0.1:${port}/`)).toBe("2.0.0");
  });
});
