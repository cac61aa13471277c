import { join } from "node:path";
import {
  type DeployKitError,
  install,
  isDeployKitError,
  publish,
  readChannel,
  storeKeys,
} from "@deploykit/core";
import { afterEach, describe, expect, it } from "vitest";
import { makePackage } from "./support/package";
import { embeddedStores, workspace } from "./support/stores";

async function failure(work: Promise<unknown>): Promise<DeployKitError> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isDeployKitError(error)) throw new Error(`expected a DeployKitError, got ${String(error)}`);
  return error;
}

describe.each(embeddedStores)("a corrupt channel pointer on the %s", (_name, makeStore) => {
  let ws: Awaited<ReturnType<typeof workspace>>;
  afterEach(() => ws?.cleanup());

  it.each([
    ["not JSON (a truncated write)", '{"version": "1.0.0", "manifestSha', /not JSON/],
    ["JSON without the manifest hash", '{"version": "1.0.0", "promotedAt": "x"}', /"manifestSha256"/],
    ["JSON of another shape", "[1, 2, 3]", /not a JSON object/],
  ])("%s: install refuses it with E_CHANNEL_CORRUPT and a hint", async (_why, text, reason) => {
    ws = await workspace(makeStore);
    await publish(await makePackage(ws.dir, "web", "1.0.0", { "server.js": "v1" }), { store: ws.store });
    await ws.store.put(storeKeys.channel("web", "production"), text);
    const root = join(ws.dir, "host");
    const error = await failure(install({ store: ws.store, app: "web", channel: "production", root }));
    expect(error.code).toBe("E_CHANNEL_CORRUPT");
    expect(error.message).toContain("apps/web/channels/production.json");
    expect(error.message).toMatch(reason);
    expect(error.hint).toMatch(/--channel production/);
    await expect(readChannel(ws.store, "web", "production")).rejects.toSatisfy((e) =>
      isDeployKitError(e, "E_CHANNEL_CORRUPT"),
    );
  });

  it("moving the channel again rewrites it, as the hint says", async () => {
    ws = await workspace(makeStore);
    await ws.store.put(storeKeys.channel("web", "production"), "{");
    await publish(await makePackage(ws.dir, "web", "1.0.0", { "server.js": "v1" }), {
      store: ws.store,
      channel: "production",
    });
    expect(await readChannel(ws.store, "web", "production")).toMatchObject({ version: "1.0.0" });
  });
});
