import { readFile, readlink } from "node:fs/promises";
import { join } from "node:path";
import { install, listPublished, publish, rollback } from "@deploykit/core";
import { createS3Store, type S3Store } from "@deploykit/core/s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startS3, type TestS3 } from "../../../test-support/s3/index.mjs";
import { makePackage, tempDir } from "./support/package";
import { s3StoreOptions } from "./support/stores";

let s3: TestS3;
let store: S3Store;
let ws: Awaited<ReturnType<typeof tempDir>>;

beforeAll(async () => {
  s3 = await startS3();
  ws = await tempDir("dk-s3-install-");
  store = createS3Store(s3StoreOptions(s3, "install"));
});
afterAll(async () => {
  store?.destroy();
  await s3?.stop();
  await ws?.cleanup();
});

describe("publish → install → rollback through S3", () => {
  it("installs from a channel, switches current, and rolls back without the store", async () => {
    for (const version of ["1.0.0", "1.1.0"])
      await publish(await makePackage(ws.dir, "web", version, { "server.js": `v${version}` }), {
        store,
        channel: "production",
      });
    const again = await publish(await makePackage(ws.dir, "web", "1.1.0", { "server.js": "v1.1.0" }), {
      store,
    });
    expect(again.unchanged).toBe(true);
    await expect(
      publish(await makePackage(ws.dir, "web", "1.1.0", { "server.js": "other bytes" }), { store }),
    ).rejects.toMatchObject({ code: "E_VERSION_EXISTS" });
    expect(await listPublished(store, "web")).toEqual({
      versions: ["1.0.0", "1.1.0"],
      channels: { production: "1.1.0" },
    });

    const root = join(ws.dir, "host");
    await install({ store, app: "web", version: "1.0.0", root });
    const second = await install({ store, app: "web", channel: "production", root });
    expect(second.release.version).toBe("1.1.0");
    expect(second.previous?.version).toBe("1.0.0");
    expect(await readFile(join(root, "current", "server.js"), "utf8")).toBe("v1.1.0");

    store.destroy();
    await s3.stop(); // rollback needs no network: the store is gone
    const back = await rollback({ root });
    expect(back.release.version).toBe("1.0.0");
    expect(await readlink(join(root, "current"))).toBe(join("releases", "1.0.0"));
    expect(await readFile(join(root, "current", "server.js"), "utf8")).toBe("v1.0.0");
  });
});
