import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { buffer } from "node:stream/consumers";
import {
  deploy,
  generateSigningKey,
  install,
  isDeployKitError,
  listPublished,
  publish,
  storeKeys,
} from "@deploykit/core";
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
  ws = await tempDir("dk-s3-signed-");
  store = createS3Store(s3StoreOptions(s3, "signed"));
});
afterAll(async () => {
  store?.destroy();
  await s3?.stop();
  await ws?.cleanup();
});

describe("signed releases through S3", () => {
  it("publish --sign-key → install with trustedKeys; a manifest rewritten in the bucket is refused by install and deploy", async () => {
    const signKey = join(ws.dir, "build.key");
    const { publicKey } = await generateSigningKey({ secretKeyPath: signKey });
    for (const version of ["1.0.0", "1.1.0"])
      await publish(await makePackage(ws.dir, "web", version, { "server.js": `v${version}` }), {
        store,
        channel: "production",
        signKey,
      });
    expect(await listPublished(store, "web")).toEqual({
      versions: ["1.0.0", "1.1.0"],
      channels: { production: "1.1.0" },
    });
    const root = join(ws.dir, "host");
    const trust = { trustedKeys: [publicKey] };
    await install({ store, app: "web", version: "1.0.0", root, ...trust });

    const key = storeKeys.manifest("web", "1.1.0");
    const edited = (await buffer(await store.get(key)))
      .toString("utf8")
      .replace('"processes": {}', '"processes": { "web": "sh evil.sh" }');
    await store.put(key, edited);
    await expect(install({ store, app: "web", version: "1.1.0", root, ...trust })).rejects.toSatisfy((e) =>
      isDeployKitError(e, "E_SIGNATURE"),
    );
    let restarts = 0;
    const strategy = { name: "counted", restart: async () => ({ strategy: "counted", pids: [restarts++] }) };
    await expect(deploy({ store, app: "web", version: "1.1.0", root, strategy, ...trust })).rejects.toSatisfy(
      (e) => isDeployKitError(e, "E_SIGNATURE"),
    );
    expect(restarts).toBe(0);
    expect(await readFile(join(root, "current", "server.js"), "utf8")).toBe("v1.0.0");
  });
});
