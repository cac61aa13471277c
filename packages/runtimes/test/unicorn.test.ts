import { isDeployKitError } from "@deploykit/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchText } from "./support/host";
import { deploysUnderLoad } from "./support/load";
import { type RackAppHost, rackAppHost } from "./support/rack-app-host";

// Real Debian unicorn + ruby-rack serving test/fixtures/rack-app, releases switched by core's deploy().
let host: RackAppHost;
let port: number;
const deployVersion = (version: string) =>
  host.deploy(
    version,
    host.unicorn({ healthcheck: `http://127.0.0.1:${port}/health`, expectVersion: true, timeoutMs: 30_000 }),
    {
      onEvent: (event) => {
        if (process.env.DK_TEST_TRACE) console.log(JSON.stringify(event));
      },
    },
  );

beforeAll(async () => {
  host = await rackAppHost("dk-unicorn-", [
    ["1.0.0", {}],
    ["2.0.0", {}],
    ["3.0.0", { crash: true }],
  ]);
  port = host.port;
});
afterAll(() => host?.dispose());

describe("unicorn() with real unicorn under load", () => {
  it("starts when no master runs", async () => {
    const result = await deployVersion("1.0.0");
    expect(result.rolledBack).toBe(false);
    expect(result.restart?.details?.mode).toBe("start");
    expect(await fetchText(`http://127.0.0.1:${port}/`)).toBe("1.0.0");
  });

  it("5 USR2 upgrades alternating versions, then a release that raises at boot: zero errors", async () => {
    const { served, failed } = await deploysUnderLoad(`http://127.0.0.1:${port}/`, async (version) => {
      const result = await deployVersion(version);
      if (version !== "3.0.0") expect(result.restart?.details?.mode).toBe("upgrade");
      return result;
    });
    expect(served).toEqual(["2.0.0", "1.0.0", "2.0.0", "1.0.0", "2.0.0", "2.0.0"]);
    expect(failed.rolledBack).toBe(true);
    expect(isDeployKitError(failed.cause, "E_RESTART_FAILED")).toBe(true);
    expect(String(failed.cause?.details.log)).toContain("crashes at boot on purpose");
    expect(((failed.cause?.details.seen ?? []) as string[]).join("\n")).toMatch(
      /USR2 sent.*\n[\s\S]*still serving/,
    );
  }, 240_000);
});
