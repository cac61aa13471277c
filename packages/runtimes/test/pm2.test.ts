import { isDeployKitError } from "@deploykit/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchText } from "./support/host";
import { deploysUnderLoad } from "./support/load";
import { type Pm2AppHost, pm2AppHost } from "./support/pm2-app-host";

// The real Node HTTP app under a real pm2 (from node_modules, private PM2_HOME) in cluster mode with wait_ready.
let app: Pm2AppHost;
let host: Pm2AppHost["host"];
const deployVersion = (version: string) => app.deployVersion(version);

beforeAll(async () => {
  app = await pm2AppHost("dk-pm2-");
  host = app.host;
});
afterAll(() => app?.dispose());

describe("pm2() with real pm2 under load", () => {
  it("5 deploys alternating versions, then a release that crashes at boot: zero errors", async () => {
    expect((await deployVersion("1.0.0")).rolledBack).toBe(false);
    expect(await fetchText(`http://127.0.0.1:${host.port}/`)).toBe("1.0.0");
    const { served, failed } = await deploysUnderLoad(`http://127.0.0.1:${host.port}/`, deployVersion);
    expect(served).toEqual(["2.0.0", "1.0.0", "2.0.0", "1.0.0", "2.0.0", "2.0.0"]);
    expect(failed.rolledBack).toBe(true);
    expect(isDeployKitError(failed.cause, "E_RESTART_FAILED")).toBe(true);
    expect(String(failed.cause?.message)).toMatch(/canary of 3.0.0 did not come online/);
  }, 240_000);
});
