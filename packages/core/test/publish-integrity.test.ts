import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  type ArtifactStore,
  createFsStore,
  type DeployEvent,
  generateSigningKey,
  install,
  isDeployKitError,
  promote,
  publish,
  readChannel,
} from "@deploykit/core";
import { createS3Store, type S3Store } from "@deploykit/core/s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startS3, type TestS3 } from "../../../test-support/s3/index.mjs";
import { makePackage, tempDir } from "./support/package";
import { s3StoreOptions } from "./support/stores";

// What a tester from a clean clone found in publish / promote, on both stores that persist:
// a mismatched manifest reported "unchanged", promote --sign-key did not sign a channel already at
// the version, and a failed publish left an empty releases/<version>/ folder behind.

let s3: TestS3;
let ws: Awaited<ReturnType<typeof tempDir>>;
const s3Stores: S3Store[] = [];
let n = 0;

beforeAll(async () => {
  s3 = await startS3();
  ws = await tempDir("dk-publish-integrity-");
});
afterAll(async () => {
  for (const store of s3Stores) store.destroy();
  await s3?.stop();
  await ws?.cleanup();
});

const stores: [string, () => ArtifactStore][] = [
  ["filesystem store", () => createFsStore({ dir: join(ws.dir, `store-${++n}`) })],
  [
    "S3 store",
    () => {
      const store = createS3Store(s3StoreOptions(s3, `case-${++n}`));
      s3Stores.push(store);
      return store;
    },
  ],
];

const code = (error: unknown) => (isDeployKitError(error) ? error.code : String(error));
const keysOf = async (store: ArtifactStore) => (await store.list("")).map((o) => o.key);

describe.each(stores)("on the %s", (_name, makeStore) => {
  it("an artifact its manifest does not describe is E_CHECKSUM_MISMATCH, also when that version is published", async () => {
    const store = makeStore();
    const dir = join(ws.dir, `pkgs-${++n}`);
    const v1 = await makePackage(dir, "web", "1.0.0", { "server.js": "v1" });
    await publish(v1, { store, channel: "production" });
    const before = await keysOf(store);
    // Another file of the same size (what `--manifest` of another build gives): one byte differs.
    const other = join(dir, "other.tgz");
    const bytes = await readFile(v1.path);
    const flip = (b: Buffer) => b.writeUInt8(b.readUInt8(b.length - 1) ^ 0xff, b.length - 1);
    flip(bytes);
    await writeFile(other, bytes);
    const error = await publish(
      { path: other, manifest: v1.manifest },
      { store, channel: "production" },
    ).catch((e: unknown) => e);
    expect(code(error)).toBe("E_CHECKSUM_MISMATCH");
    expect(await keysOf(store)).toEqual(before);

    // A new version: refused before anything is written (no artifact, no empty folder).
    const v2 = await makePackage(dir, "web", "2.0.0", { "server.js": "v2" });
    const changed = Buffer.from(await readFile(v2.path));
    flip(changed);
    await writeFile(v2.path, changed);
    expect(code(await publish(v2, { store }).catch((e: unknown) => e))).toBe("E_CHECKSUM_MISMATCH");
    expect(await keysOf(store)).toEqual(before);
  });

  it("a publish aborted as its upload starts is E_ABORTED and leaves the store as it was", async () => {
    const store = makeStore();
    const dir = join(ws.dir, `pkgs-${++n}`);
    await publish(await makePackage(dir, "web", "1.0.0", { "server.js": "v1" }), { store });
    const before = await keysOf(store);
    const controller = new AbortController();
    const onEvent = (e: DeployEvent) => {
      if (e.type === "step:start" && e.step === "upload") controller.abort(new Error("Ctrl-C"));
    };
    const v2 = await makePackage(dir, "web", "2.0.0", { "server.js": "v2" });
    const error = await publish(v2, { store, onEvent, signal: controller.signal }).catch((e: unknown) => e);
    expect(code(error)).toBe("E_ABORTED");
    expect(await keysOf(store)).toEqual(before);
  });

  it("a publish aborted after its upload, before the manifest, removes what it uploaded", async () => {
    const store = makeStore();
    const dir = join(ws.dir, `pkgs-${++n}`);
    await publish(await makePackage(dir, "web", "1.0.0", { "server.js": "v1" }), { store });
    const before = await keysOf(store);
    const controller = new AbortController();
    const onEvent = (e: DeployEvent) => {
      if (e.type === "step:finish" && e.step === "upload") controller.abort(new Error("Ctrl-C"));
    };
    const v2 = await makePackage(dir, "web", "2.0.0", { "server.js": "v2" });
    const signKey = join(dir, "build.key");
    await generateSigningKey({ secretKeyPath: signKey });
    const error = await publish(v2, { store, onEvent, signKey, signal: controller.signal }).catch(
      (e: unknown) => e,
    );
    expect(code(error)).toBe("E_ABORTED");
    expect(await keysOf(store)).toEqual(before);
    expect((await publish(v2, { store })).unchanged).toBe(false);
  });

  it("promote with a key signs a channel that already points at the version; without one it warns", async () => {
    const store = makeStore();
    const dir = join(ws.dir, `pkgs-${++n}`);
    const signKey = join(dir, "build.key");
    const { publicKey } = await generateSigningKey({ secretKeyPath: signKey });
    const other = await generateSigningKey({ secretKeyPath: join(dir, "other.key") });
    await publish(await makePackage(dir, "web", "2.0.0", { "server.js": "v2" }), { store, signKey });

    const warnings: string[] = [];
    const onEvent = (e: DeployEvent) => e.type === "warning" && warnings.push(e.message);
    const target = { store, app: "web", channel: "production", version: "2.0.0" };
    expect((await promote({ ...target, onEvent })).unchanged).toBe(false);
    expect(warnings.join("\n")).toContain("unsigned");
    expect((await readChannel(store, "web", "production"))?.signature).toBeUndefined();

    const signed = await promote({ ...target, signKey });
    expect(signed).toMatchObject({ unchanged: false, from: "2.0.0", signedBy: expect.any(String) });
    const root = join(dir, "host");
    const trusted = { store, app: "web", channel: "production", root, trustedKeys: [publicKey] };
    expect((await install(trusted)).release.version).toBe("2.0.0");

    expect((await promote({ ...target, signKey })).unchanged).toBe(true);
    // Another key (rotation) re-signs; the first key's installs now refuse the pointer.
    expect((await promote({ ...target, signKey: join(dir, "other.key") })).unchanged).toBe(false);
    const refused = await install({ ...trusted, root: join(dir, "host2") }).catch((e: unknown) => e);
    expect(code(refused)).toBe("E_SIGNATURE");
    const both = { ...trusted, root: join(dir, "host3"), trustedKeys: [publicKey, other.publicKey] };
    expect((await install(both)).release.version).toBe("2.0.0");
  });
});

describe("the filesystem store after a failed publish", () => {
  it("has no empty releases/<version>/ folder (checksum mismatch, abort)", async () => {
    const dir = join(ws.dir, `pkgs-${++n}`);
    const storeDir = join(dir, "store");
    const store = createFsStore({ dir: storeDir });
    await publish(await makePackage(dir, "web", "1.0.0", { "server.js": "v1" }), { store });
    const controller = new AbortController();
    controller.abort(new Error("Ctrl-C"));
    const v2 = await makePackage(dir, "web", "2.0.0", { "server.js": "v2" });
    // Straight to the store, as putFileOnce does: the folder is made only for complete bytes.
    const key = "apps/web/releases/2.0.0/web-2.0.0.tgz";
    expect(code(await store.put(key, "bytes", { signal: controller.signal }).catch((e: unknown) => e))).toBe(
      "E_ABORTED",
    );
    expect(existsSync(join(storeDir, "apps", "web", "releases", "2.0.0"))).toBe(false);
    await store.put(key, "bytes");
    await store.delete(key);
    expect(existsSync(join(storeDir, "apps", "web", "releases", "2.0.0"))).toBe(false);
    expect(existsSync(join(storeDir, "apps", "web", "releases", "1.0.0"))).toBe(true);
    expect((await publish(v2, { store })).unchanged).toBe(false);
  });
});
