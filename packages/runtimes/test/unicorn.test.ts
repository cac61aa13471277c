import { copyFile, mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createFsStore, deploy, isDeployKitError, strategyContext } from "@deploykit/core";
import { unicorn } from "@deploykit/runtimes";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchText, fixture, freePort } from "./support/host";
import { deploysUnderLoad } from "./support/load";
import { publishFixture } from "./support/releases";

// Real Debian unicorn + ruby-rack serving test/fixtures/rack-app, releases switched by core's deploy().
let work: string;
let root: string;
let port: number;
const store = () => createFsStore({ dir: join(work, "store") });
const strategy = () =>
  unicorn({
    healthcheck: `http://127.0.0.1:${port}/health`,
    expectVersion: true,
    timeout: 30,
    workers: 2,
    startCommand: `unicorn -E none -D -c ${join(root, "shared", "unicorn.rb")}`,
  });
const deployVersion = (version: string) =>
  deploy({
    store: store(),
    app: "rack",
    version,
    root,
    strategy: strategy(),
    env: { DK_ROOT: root, DK_PORT: String(port) },
    onEvent: (event) => {
      if (process.env.DK_TEST_TRACE) console.log(JSON.stringify(event));
    },
  });

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "dk-unicorn-"));
  root = join(work, "host");
  port = await freePort();
  await mkdir(join(root, "shared"), { recursive: true });
  await copyFile(join(fixture("rack-app"), "unicorn.rb"), join(root, "shared", "unicorn.rb"));
  for (const [version, crash] of [
    ["1.0.0", false],
    ["2.0.0", false],
    ["3.0.0", true],
  ] as const) {
    await publishFixture(store(), "rack", "rack-app", version, { crash, processes: {} });
  }
});

afterAll(async () => {
  const release = { version: "x", dir: join(root, "current"), manifest: {} as never };
  await strategy().stop?.(strategyContext({ app: "rack", root, release }));
  await rm(work, { recursive: true, force: true });
});

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
