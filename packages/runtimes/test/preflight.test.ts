import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createFsStore, type DeployEvent, deploy, isDeployKitError, strategyContext } from "@deploykit/core";
import { process as processStrategy } from "@deploykit/runtimes";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchText, freePort } from "./support/host";
import { publishFixture } from "./support/releases";

// Issue 17: a port another process already serves is E_PORT_IN_USE before anything is switched:
// deploy() asks the strategy's preflight after unpacking and before `current` moves.
let work: string;
let port: number;
const store = () => createFsStore({ dir: join(work, "store") });
const web = () => processStrategy({ port, stopTimeoutMs: 5_000 });
const deployTo = (root: string, onEvent?: (event: DeployEvent) => void) =>
  deploy({
    store: store(),
    app: "web",
    version: "1.0.0",
    root,
    strategy: web(),
    ...(onEvent ? { onEvent } : {}),
  });

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "dk-preflight-"));
  port = await freePort();
  await publishFixture(store(), "web", "node-app", "1.0.0");
});

afterAll(async () => {
  const root = join(work, "a");
  const release = {
    version: "1.0.0",
    dir: join(root, "current"),
    manifest: { processes: { web: "node server.js" } } as never,
  };
  await web().stop?.(strategyContext({ app: "web", root, release }));
  await rm(work, { recursive: true, force: true });
});

describe("deploy() runs the strategy's preflight before current moves", () => {
  it("a second app root on a port the first one serves: E_PORT_IN_USE, its current never switched, nothing started", async () => {
    expect((await deployTo(join(work, "a"))).rolledBack).toBe(false);
    expect(await fetchText(`http://127.0.0.1:${port}/`)).toBe("1.0.0");
    const second = join(work, "b");
    const events: DeployEvent[] = [];
    const error = await deployTo(second, (event) => events.push(event)).catch((e: unknown) => e);
    expect(isDeployKitError(error, "E_PORT_IN_USE")).toBe(true);
    expect((error as Error).message).toMatch(
      new RegExp(`in ${join(work, "a")}/releases/1.0.0 \\(release 1.0.0\\)`),
    );
    expect(existsSync(join(second, "current"))).toBe(false);
    expect(existsSync(join(second, "shared/log/web.log"))).toBe(false);
    expect(events.some((e) => e.type === "step:start" && e.step === "preflight")).toBe(true);
    expect(await fetchText(`http://127.0.0.1:${port}/`)).toBe("1.0.0");
  }, 60_000);
});
