import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchText } from "./support/host";
import { startLoad } from "./support/load";
import { type RackAppHost, rackAppHost } from "./support/rack-app-host";

// Issue 17, input 3 for unicorn: a release that answers 500 for its first 3 s. While both masters
// serve from the shared socket, the old workers' 2xx used to count as the new master's health, so
// the old master was QUIT while the new workers still answered 500. Default options: no
// expectVersion, no version in the readiness decision.
let host: RackAppHost;
let port: number;
const deployVersion = (version: string) =>
  host.deploy(version, host.unicorn({ healthcheck: `http://127.0.0.1:${port}/health`, timeoutMs: 30_000 }));

beforeAll(async () => {
  host = await rackAppHost("dk-unicorn-warmup-", [
    ["1.0.0", { warmupMs: 3_000 }],
    ["2.0.0", { warmupMs: 3_000 }],
  ]);
  port = host.port;
});
afterAll(() => host?.dispose());

describe("unicorn(): the old master is QUIT only after a new worker itself passed the health check", () => {
  it("an app answering 500 for its first 3 s: 0 non-2xx across 3 USR2 deploys under load", async () => {
    expect((await deployVersion("1.0.0")).rolledBack).toBe(false);
    const url = `http://127.0.0.1:${port}/`;
    expect(await fetchText(url)).toBe("1.0.0");
    const load = await startLoad(url, 50);
    try {
      for (const version of ["2.0.0", "1.0.0", "2.0.0"]) {
        const result = await deployVersion(version);
        expect(result.rolledBack, String(result.cause?.message)).toBe(false);
        expect(result.restart?.details?.mode).toBe("upgrade");
        expect(await fetchText(url)).toBe(version);
      }
    } finally {
      const figures = await load.stop();
      expect(figures).toMatchObject({ errors: 0, non2xx: 0 });
      // Proof that load ran through all three overlaps: 590 to 1,442 requests were seen on the
      // shared 2-core box (load average 8-12), where Ruby workers get little CPU.
      expect(figures.requests).toBeGreaterThan(300);
    }
  }, 180_000);
});
