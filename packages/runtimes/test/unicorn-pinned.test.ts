import { type DeployEvent, isDeployKitError } from "@deploykit/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchText } from "./support/host";
import { type RackAppHost, rackAppHost } from "./support/rack-app-host";

// Issue 17, input 2: a unicorn config whose working_directory is pinned to the release the first
// master started from (a common mistake), so every USR2 master boots the old code. deploy() used to
// report success with current = 2.0.0 while every request answered 1.0.0.
let host: RackAppHost;
let port: number;
const health = () => `http://127.0.0.1:${port}/health`;
/** `gate`: the URL goes to deploy()'s gate; `strategy`: only to unicorn() (its own check). */
const deployVersion = (
  version: string,
  onEvent?: (event: DeployEvent) => void,
  url: "gate" | "strategy" = "gate",
) =>
  host.deploy(
    version,
    host.unicorn({ timeoutMs: 30_000, ...(url === "strategy" ? { healthcheck: health() } : {}) }),
    {
      ...(url === "gate" ? { healthcheck: health() } : {}),
      ...(onEvent ? { onEvent } : {}),
    },
  );

beforeAll(async () => {
  const pin = (config: string) => {
    const pinned = config.replace(
      'working_directory File.join(root, "current")',
      // Resolved once by the first master and inherited by every re-exec'd one through ENV.
      'ENV["DK_PINNED"] ||= File.realpath(File.join(root, "current"))\nworking_directory ENV["DK_PINNED"]',
    );
    expect(pinned).not.toBe(config);
    return pinned;
  };
  host = await rackAppHost(
    "dk-unicorn-pinned-",
    [
      ["1.0.0", {}],
      ["2.0.0", {}],
    ],
    pin,
  );
  port = host.port;
});
afterAll(() => host?.dispose());

describe("the health gate proves the new release answers", () => {
  it("unicorn booting old code (pinned working_directory): rolled back within 2 s of the first wrong answer, saying what answered", async () => {
    expect((await deployVersion("1.0.0")).rolledBack).toBe(false);
    const events: { at: number; event: DeployEvent }[] = [];
    const result = await deployVersion("2.0.0", (event) => events.push({ at: Date.now(), event }));
    expect(result.rolledBack).toBe(true);
    expect(result.release.version).toBe("1.0.0");
    expect(isDeployKitError(result.cause, "E_HEALTHCHECK")).toBe(true);
    expect(String(result.cause?.message)).toMatch(
      /port \d+ answers 1\.0\.0 from pid \d+ in releases\/1\.0\.0, not 2\.0\.0 \(HTTP 200: ok 1\.0\.0\)/,
    );
    const lines = events.filter(({ event }) => event.type === "log" && event.step === "healthcheck");
    const firstWrong = lines.find(
      ({ event }) => event.type === "log" && event.line.includes("not the new release"),
    );
    const rollback = events.find(({ event }) => event.type === "warning" && event.step === "rollback");
    expect(firstWrong && rollback && rollback.at - firstWrong.at).toBeLessThan(2_000);
    expect(lines.length).toBeLessThan(5);
    expect(await fetchText(`http://127.0.0.1:${port}/`)).toBe("1.0.0");
  }, 120_000);

  it("the same with the URL only on unicorn({ healthcheck }): the strategy's check passes, its URL answers 1.0.0, rolled back", async () => {
    const result = await deployVersion("2.0.0", undefined, "strategy");
    expect(result.rolledBack).toBe(true);
    expect(result.release.version).toBe("1.0.0");
    expect(String(result.cause?.message)).toMatch(
      /port \d+ answers 1\.0\.0 from pid \d+ in releases\/1\.0\.0, not 2\.0\.0/,
    );
    expect(await fetchText(`http://127.0.0.1:${port}/`)).toBe("1.0.0");
  }, 120_000);
});
