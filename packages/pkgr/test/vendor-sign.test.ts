import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createFsStore, generateSigningKey, isDeployKitError } from "@deploykit/core";
import { listVendored, vendorRuntime } from "@deploykit/pkgr";
import { execa } from "execa";
import { afterAll, describe, expect, it } from "vitest";
import { removeTempDirs, tempDir, writeFakeRuby } from "./fixtures/vendor-support/helpers";

afterAll(removeTempDirs);

describe("vendorRuntime with a signKey", () => {
  it("stores <tarball>.minisig that `minisign -Vm` verifies; listings ignore it; a bad key fails before any upload", async () => {
    const work = await tempDir("vendor-sign");
    const storeDir = join(work, "store");
    const store = createFsStore({ dir: storeDir });
    await writeFakeRuby(join(work, "ruby-2.2.4"), "2.2.4");
    const secretKeyPath = join(work, "build.key");
    const { publicKey } = await generateSigningKey({ secretKeyPath });

    const missing = await vendorRuntime({
      kind: "ruby",
      version: "2.2.4",
      from: join(work, "ruby-2.2.4"),
      store,
      signKey: join(work, "no-such.key"),
    }).catch((e: unknown) => e);
    expect(isDeployKitError(missing, "E_INVALID_INPUT")).toBe(true);
    expect(await store.list("")).toEqual([]);

    const result = await vendorRuntime({
      kind: "ruby",
      version: "2.2.4",
      from: join(work, "ruby-2.2.4"),
      stack: "cedar-14",
      store,
      signKey: secretKeyPath,
    });
    expect(result.signatureKey).toBe("cedar-14/ruby-2.2.4.tgz.minisig");
    const tarball = join(storeDir, "cedar-14", "ruby-2.2.4.tgz");
    const verified = await execa("minisign", ["-Vm", tarball, "-P", publicKey]);
    expect(verified.stdout).toContain("\tfile:ruby-2.2.4.tgz\thashed\tkey:cedar-14/ruby-2.2.4.tgz");
    expect((await listVendored(store)).map((e) => e.key)).toEqual(["cedar-14/ruby-2.2.4.tgz"]);

    // The signature is over the stored bytes: other bytes under the key fail minisign.
    await writeFile(tarball, Buffer.concat([await readFile(tarball), Buffer.from("x")]));
    const tampered = await execa("minisign", ["-Vm", tarball, "-P", publicKey], { reject: false });
    expect(tampered.exitCode).toBe(1);
  });
});
