import { writeFile } from "node:fs/promises";
import { buffer } from "node:stream/consumers";
import { isDeployKitError, publish, readChannel, readManifest, storeKeys } from "@deploykit/core";
import { afterEach, describe, expect, it } from "vitest";
import { makePackage } from "./support/package";
import { embeddedStores, workspace } from "./support/stores";

describe.each(embeddedStores)("publish on the %s", (_name, makeStore) => {
  let ws: Awaited<ReturnType<typeof workspace>>;
  afterEach(() => ws?.cleanup());

  it("writes the artifact, then the manifest, then the channel", async () => {
    ws = await workspace(makeStore);
    const pkg = await makePackage(ws.dir, "web", "1.0.0", { "server.js": "v1" });
    const steps: string[] = [];
    const result = await publish(pkg, {
      store: ws.store,
      channel: "production",
      onEvent: (e) => e.type === "step:finish" && steps.push(e.step),
    });
    expect(steps).toEqual(["verify", "upload", "manifest", "channel"]);
    expect(result.unchanged).toBe(false);
    expect(await readManifest(ws.store, "web", "1.0.0")).toEqual(pkg.manifest);
    const stored = await buffer(
      await ws.store.get(storeKeys.artifact("web", "1.0.0", pkg.manifest.artifact.file)),
    );
    expect(stored.length).toBe(pkg.manifest.artifact.size);
    expect((await readChannel(ws.store, "web", "production"))?.version).toBe("1.0.0");
  });

  it("republishing the same bytes is a no-op; other bytes are E_VERSION_EXISTS", async () => {
    ws = await workspace(makeStore);
    const pkg = await makePackage(ws.dir, "web", "1.0.0", { "server.js": "v1" });
    await publish(pkg, { store: ws.store });
    const again = await publish(pkg, { store: ws.store });
    expect(again.unchanged).toBe(true);
    const other = await makePackage(`${ws.dir}`, "web", "1.0.0", { "server.js": "different" });
    await expect(publish(other, { store: ws.store })).rejects.toSatisfy((e) =>
      isDeployKitError(e, "E_VERSION_EXISTS"),
    );
    expect((await readManifest(ws.store, "web", "1.0.0")).artifact.sha256).toBe(pkg.manifest.artifact.sha256);
  });

  it("refuses a file that changed since it was built, leaving nothing published", async () => {
    ws = await workspace(makeStore);
    const pkg = await makePackage(ws.dir, "web", "1.0.0", { "server.js": "v1" });
    await writeFile(pkg.path, Buffer.alloc(pkg.manifest.artifact.size, 7));
    await expect(publish(pkg, { store: ws.store })).rejects.toSatisfy((e) =>
      isDeployKitError(e, "E_CHECKSUM_MISMATCH"),
    );
    expect(await ws.store.list("apps/")).toEqual([]);
  });

  it("refuses an invalid manifest or channel before writing anything", async () => {
    ws = await workspace(makeStore);
    const pkg = await makePackage(ws.dir, "web", "1.0.0", { "server.js": "v1" });
    await expect(
      publish({ ...pkg, manifest: { ...pkg.manifest, app: "Bad Name" } }, { store: ws.store }),
    ).rejects.toSatisfy((e) => isDeployKitError(e, "E_MANIFEST_INVALID"));
    await expect(publish(pkg, { store: ws.store, channel: "Prod/../x" })).rejects.toSatisfy((e) =>
      isDeployKitError(e, "E_INVALID_INPUT"),
    );
    expect(await ws.store.list("")).toEqual([]);
  });
});
