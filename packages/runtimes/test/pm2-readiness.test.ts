import { portOwners } from "@deploykit/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchText } from "./support/host";
import { startLoad } from "./support/load";
import { type Pm2AppHost, pm2AppHost } from "./support/pm2-app-host";

// Issue 17, input 3 for pm2: an app that listens at once but answers 500 for its first 3 s. pm2
// retires an old instance once the new one sends "ready" (from the app's listen callback); the
// readiness preload holds that listen until the instance passed the health check itself.
let app: Pm2AppHost;
let host: Pm2AppHost["host"];
const deployVersion = (version: string) => app.deployVersion(version);

beforeAll(async () => {
  app = await pm2AppHost("dk-pm2-warmup-", { warmupMs: 3_000 });
  host = app.host;
});
afterAll(() => app?.dispose());

describe("pm2(): readiness before retirement", () => {
  it("an app answering 500 for its first 3 s: 0 non-2xx across 3 reloads under load", async () => {
    expect((await deployVersion("1.0.0")).rolledBack).toBe(false);
    const url = `http://127.0.0.1:${host.port}/`;
    expect(await fetchText(url)).toBe("1.0.0");
    // The pm2 daemon holds the port; it runs from the root, not from the release it was started
    // with (core's gate would read that as "1.0.0 answers" for every later release).
    const owners = await portOwners(host.port);
    expect(owners.length).toBeGreaterThan(0);
    expect(owners.filter((owner) => owner.release !== undefined)).toEqual([]);
    const load = await startLoad(url, 50);
    try {
      for (const version of ["2.0.0", "1.0.0", "2.0.0"]) {
        const result = await deployVersion(version);
        expect(result.rolledBack, String(result.cause?.message)).toBe(false);
        expect(await fetchText(url)).toBe(version);
      }
    } finally {
      const figures = await load.stop();
      expect(figures).toMatchObject({ errors: 0, non2xx: 0 });
      expect(figures.requests).toBeGreaterThan(1_000);
    }
  }, 240_000);
});
