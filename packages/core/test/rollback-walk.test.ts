import { readFile, readlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  type DeployKitError,
  deploy,
  install,
  isDeployKitError,
  listInstalled,
  publish,
  rollback,
} from "@deploykit/core";
import { createMemoryStore } from "@deploykit/core/testing";
import { afterEach, describe, expect, it } from "vitest";
import { freePort } from "../../../test-support/ports";
import { childStrategy, server } from "./support/child-strategy";
import { makePackage, tempDir } from "./support/package";

let cleanup: (() => Promise<void>) | undefined;
afterEach(() => cleanup?.());

/** A root with `versions` published (each `server.js` answering its version; `unhealthy` ones HTTP 500) and a real child strategy on a free port. */
async function setup(versions: string[], unhealthy: string[] = []) {
  const tmp = await tempDir("dk-rollback-walk-");
  const port = await freePort();
  const strategy = childStrategy(port);
  cleanup = async () => {
    await strategy.stopAll();
    await tmp.cleanup();
  };
  const store = createMemoryStore();
  for (const v of versions)
    await publish(await makePackage(tmp.dir, "web", v, { "server.js": server(v, !unhealthy.includes(v)) }), {
      store,
    });
  const root = join(tmp.dir, "host");
  const healthcheck = { url: `http://127.0.0.1:${port}/`, timeoutMs: 10_000, intervalMs: 50 };
  const answers = async () => (await fetch(healthcheck.url, { headers: { connection: "close" } })).text();
  const deployed = (version: string) =>
    deploy({ store, app: "web", version, root, strategy, healthcheck: { ...healthcheck, timeoutMs: 2_000 } });
  return { store, root, strategy, healthcheck, answers, deployed };
}

describe("a plain rollback walks back", () => {
  it("two plain rollbacks go two releases back (never back and forth), past a failed deploy; then E_NO_PREVIOUS_RELEASE touching nothing", async () => {
    const { root, strategy, healthcheck, answers, deployed } = await setup(
      ["1.0.0", "2.0.0", "3.0.0", "4.0.0"],
      ["4.0.0"],
    );
    for (const v of ["1.0.0", "2.0.0", "3.0.0"]) expect((await deployed(v)).rolledBack).toBe(false);
    expect((await deployed("4.0.0")).rolledBack).toBe(true);
    expect(await answers()).toBe("3.0.0");

    const first = await rollback({ root, strategy, healthcheck });
    expect([first.release.version, first.previous?.version, first.rolledBack]).toEqual([
      "2.0.0",
      "3.0.0",
      false,
    ]);
    expect(await answers()).toBe("2.0.0");
    expect((await listInstalled(root)).previous).toBe("1.0.0");

    const second = await rollback({ root, strategy, healthcheck });
    expect(second.release.version).toBe("1.0.0");
    expect(await answers()).toBe("1.0.0");

    const state = join(root, ".deploykit", "state.json");
    const before = { state: await readFile(state, "utf8"), current: await readlink(join(root, "current")) };
    const error = (await rollback({ root, strategy, healthcheck }).catch(
      (e: unknown) => e,
    )) as DeployKitError;
    expect(isDeployKitError(error, "E_NO_PREVIOUS_RELEASE")).toBe(true);
    expect(error.message).toContain("no release older than the live 1.0.0");
    expect(error.hint).toContain("--version");
    expect({ state: await readFile(state, "utf8"), current: await readlink(join(root, "current")) }).toEqual(
      before,
    );
    expect(await answers()).toBe("1.0.0");

    // --version still goes anywhere installed, forward included; from there a plain rollback walks back again.
    expect((await rollback({ root, strategy, healthcheck, version: "3.0.0" })).release.version).toBe("3.0.0");
    expect((await rollback({ root, strategy, healthcheck })).release.version).toBe("1.0.0");
  });

  it("after a deploy that followed a rollback, a plain rollback returns to the release live before the deploy", async () => {
    const { store, root } = await setup(["1.0.0", "2.0.0", "3.0.0", "4.0.0"]);
    for (const v of ["1.0.0", "2.0.0", "3.0.0"]) await install({ store, app: "web", version: v, root });
    expect((await rollback({ root })).release.version).toBe("2.0.0");
    await install({ store, app: "web", version: "4.0.0", root });
    // 3.0.0 was rolled back from: walking back from 4.0.0 does not return to it.
    expect((await rollback({ root })).release.version).toBe("2.0.0");
    expect((await rollback({ root })).release.version).toBe("1.0.0");
  });

  it("a failed explicit rollback (--version X whose restart fails) leaves previous on a release that can serve", async () => {
    const { root, strategy, healthcheck, answers, deployed } = await setup(["1.0.0", "2.0.0", "3.0.0"]);
    for (const v of ["1.0.0", "2.0.0", "3.0.0"]) await deployed(v);
    expect((await listInstalled(root)).previous).toBe("2.0.0");
    // 2.0.0 no longer boots (its code was damaged on the host).
    await writeFile(join(root, "releases", "2.0.0", "server.js"), "process.exit(3);\n");

    const failed = await rollback({
      root,
      strategy,
      healthcheck: { ...healthcheck, timeoutMs: 1_500 },
      version: "2.0.0",
    });
    expect([failed.rolledBack, failed.release.version]).toEqual([true, "3.0.0"]);
    expect(await answers()).toBe("3.0.0");
    // previous does not name the release that just failed: a plain rollback skips it.
    const after = await listInstalled(root);
    expect([after.current, after.previous]).toEqual(["3.0.0", "1.0.0"]);
    const back = await rollback({ root, strategy, healthcheck });
    expect([back.release.version, back.rolledBack]).toEqual(["1.0.0", false]);
    expect(await answers()).toBe("1.0.0");
  });
});
