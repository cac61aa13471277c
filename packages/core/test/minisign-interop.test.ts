import { readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { inspect } from "node:util";
import {
  generateSigningKey,
  isDeployKitError,
  parsePublicKey,
  readSecretKey,
  signFile,
  signMessage,
  verifyMessage,
} from "@deploykit/core";
import { execa } from "execa";
import { afterEach, describe, expect, it } from "vitest";
import { tempDir } from "./support/package";

// Interop with the real `minisign` (Debian's package, installed by scripts/system-deps.sh):
// signatures and keys made by either side work in the other.
let work: Awaited<ReturnType<typeof tempDir>>;
afterEach(() => work?.cleanup());

const minisign = (args: string[], input?: string) =>
  execa("minisign", args, { input: input ?? "", reject: false });
const refusedWith = (code: string) => (e: unknown) => isDeployKitError(e, code as never);

async function messageFile(name = "manifest.json", text = '{"app":"web","version":"1.0.0"}\n') {
  const path = join(work.dir, name);
  await writeFile(path, text);
  return { path, bytes: Buffer.from(text) };
}

describe("minisign interop", () => {
  it("a deploykit key and signature verify with `minisign -Vm` (file and -P key)", async () => {
    work = await tempDir();
    const { path } = await messageFile();
    const secretKeyPath = join(work.dir, "dk.key");
    const publicKeyPath = join(work.dir, "dk.pub");
    const generated = await generateSigningKey({ secretKeyPath, publicKeyPath });
    expect((await stat(secretKeyPath)).mode & 0o777).toBe(0o600);
    const key = await readSecretKey(secretKeyPath);
    await writeFile(
      `${path}.minisig`,
      await signFile(path, key, { trustedComment: "app:web\tversion:1.0.0" }),
    );
    const byFile = await minisign(["-Vm", path, "-p", publicKeyPath]);
    expect(byFile.exitCode, byFile.stderr).toBe(0);
    expect(byFile.stdout).toContain("Trusted comment: app:web\tversion:1.0.0");
    const byLine = await minisign(["-Vm", path, "-P", generated.publicKey, "-H"]);
    expect(byLine.exitCode, byLine.stderr).toBe(0);
    // The legacy (non-prehashed) form verifies too, and a flipped byte does not.
    await writeFile(
      `${path}.minisig`,
      signMessage(await readFile(path), key, { trustedComment: "legacy", legacy: true }),
    );
    expect((await minisign(["-Vm", path, "-P", generated.publicKey])).exitCode).toBe(0);
    await writeFile(path, '{"app":"web","version":"1.0.1"}\n');
    expect((await minisign(["-Vm", path, "-P", generated.publicKey])).exitCode).toBe(1);
  });

  it("a `minisign -S` signature (prehashed and legacy -l) verifies in deploykit, and a key made by `minisign -G -W` signs in deploykit", async () => {
    work = await tempDir();
    const { path, bytes } = await messageFile();
    const pub = join(work.dir, "m.pub");
    const sec = join(work.dir, "m.key");
    expect((await minisign(["-G", "-W", "-p", pub, "-s", sec])).exitCode).toBe(0);
    const trusted = parsePublicKey(await readFile(pub, "utf8"));
    expect((await minisign(["-S", "-s", sec, "-m", path, "-t", "app:web\tversion:1.0.0"])).exitCode).toBe(0);
    const verified = verifyMessage(bytes, await readFile(`${path}.minisig`, "utf8"), [trusted]);
    expect(verified).toEqual({
      keyId: trusted.keyId,
      trustedComment: "app:web\tversion:1.0.0",
      prehashed: true,
    });
    expect((await minisign(["-S", "-l", "-s", sec, "-m", path])).exitCode).toBe(0);
    expect(verifyMessage(bytes, await readFile(`${path}.minisig`, "utf8"), [trusted]).prehashed).toBe(false);

    const key = await readSecretKey(sec);
    expect(key.keyId).toBe(trusted.keyId);
    await writeFile(`${path}.minisig`, signMessage(bytes, key, { trustedComment: "by deploykit" }));
    expect((await minisign(["-Vm", path, "-p", pub])).exitCode).toBe(0);
  });

  it("password-encrypted keys (scrypt) work both ways, and a wrong password is refused", async () => {
    work = await tempDir();
    const { path, bytes } = await messageFile();
    // deploykit writes an encrypted key; minisign decrypts it with the password and signs.
    const dkKey = join(work.dir, "dk.key");
    const dk = await generateSigningKey({ secretKeyPath: dkKey, password: "correct horse" });
    const signed = await minisign(["-S", "-s", dkKey, "-m", path], "correct horse\n");
    expect(signed.exitCode, signed.stderr).toBe(0);
    verifyMessage(bytes, await readFile(`${path}.minisig`, "utf8"), [parsePublicKey(dk.publicKey)]);
    // minisign writes an encrypted key; deploykit decrypts it and signs; minisign verifies.
    const pub = join(work.dir, "m.pub");
    const sec = join(work.dir, "m.key");
    expect((await minisign(["-G", "-p", pub, "-s", sec], "battery staple\nbattery staple\n")).exitCode).toBe(
      0,
    );
    await expect(readSecretKey(sec, { password: "wrong" })).rejects.toSatisfy(refusedWith("E_INVALID_INPUT"));
    await expect(readSecretKey(sec)).rejects.toSatisfy(refusedWith("E_INVALID_INPUT"));
    const key = await readSecretKey(sec, { password: "battery staple" });
    await writeFile(`${path}.minisig`, signMessage(bytes, key, { trustedComment: "x" }));
    expect((await minisign(["-Vm", path, "-p", pub])).exitCode).toBe(0);
  }, 300_000);

  it("refuses with E_SIGNATURE: other bytes, an edited trusted comment, an untrusted key, a malformed file", async () => {
    work = await tempDir();
    const a = await generateSigningKey({ secretKeyPath: join(work.dir, "a.key") });
    const b = await generateSigningKey({ secretKeyPath: join(work.dir, "b.key") });
    const key = await readSecretKey(join(work.dir, "a.key"));
    const bytes = Buffer.from("release bytes");
    const sig = signMessage(bytes, key, { trustedComment: "version:1.0.0" });
    const trusted = [parsePublicKey(a.publicKey)];
    expect(verifyMessage(bytes, sig, trusted).trustedComment).toBe("version:1.0.0");
    const refused = (message: Uint8Array, file: string, keys = trusted) => {
      try {
        verifyMessage(message, file, keys);
      } catch (error) {
        return isDeployKitError(error, "E_SIGNATURE");
      }
      return false;
    };
    expect(refused(Buffer.from("release bytez"), sig)).toBe(true);
    expect(refused(bytes, sig.replace("version:1.0.0", "version:2.0.0"))).toBe(true);
    expect(refused(bytes, sig, [parsePublicKey(b.publicKey)])).toBe(true);
    expect(refused(bytes, sig.split("\n").slice(0, 2).join("\n"))).toBe(true);
  });

  it("a loaded secret key never shows its secret in JSON or inspect output; key files are never overwritten", async () => {
    work = await tempDir();
    const secretKeyPath = join(work.dir, "k.key");
    await generateSigningKey({ secretKeyPath });
    const fileText = await readFile(secretKeyPath, "utf8");
    const secretLine = fileText.split("\n")[1] as string;
    const key = await readSecretKey(secretKeyPath);
    const shown = `${JSON.stringify({ key })} ${inspect(key, { depth: 5, showHidden: true })} ${String(key)}`;
    expect(shown).toContain(key.keyId);
    const seed = Buffer.from(secretLine, "base64").subarray(62, 94);
    for (const encoding of ["hex", "base64", "base64url"] as const) {
      expect(shown).not.toContain(seed.toString(encoding).slice(0, 24));
    }
    expect(shown).not.toContain(secretLine.slice(80, 120));
    await expect(generateSigningKey({ secretKeyPath })).rejects.toSatisfy(refusedWith("E_INVALID_INPUT"));
    expect(await readFile(secretKeyPath, "utf8")).toBe(fileText);
  });
});
