import { createHash, verify } from "node:crypto";
import { createReadStream } from "node:fs";
import { DeployKitError } from "../errors";
import { keyIdOf, type PublicKey, type SecretKey } from "./minisign-key";

// The `.minisig` file (minisign's sign/verify): an untrusted comment line, the base64 of
// sig_alg ‖ keynum ‖ signature, a `trusted comment:` line, and the base64 of the global
// signature over signature ‖ trusted comment. "Ed" signs the message itself (legacy), "ED" its
// BLAKE2b-512 (minisign ≥ 0.10 signs this way by default; `minisign -V` accepts both).
const UNTRUSTED = "untrusted comment: ";
const TRUSTED = "trusted comment: ";
const LEGACY = "Ed";
const PREHASHED = "ED";

/** What a verified signature says. */
export interface VerifiedSignature {
  /** Id of the trusted key that made it (16 uppercase hex digits). */
  keyId: string;
  /** The trusted comment, now known to come from that key. */
  trustedComment: string;
  /** Whether the message was signed prehashed ("ED") or as is ("Ed", legacy). */
  prehashed: boolean;
}

/** Options for {@link signMessage}. */
export interface SignOptions {
  /** One line, signed too (minisign's default is `timestamp:<s>\tfile:<name>\thashed`). */
  trustedComment: string;
  /** One line, not signed. Default `signature from deploykit secret key`. */
  untrustedComment?: string;
  /** Sign the message itself instead of its BLAKE2b-512 (minisign's legacy "Ed"). Default false. */
  legacy?: boolean;
}

const REPUBLISH =
  "publish the release again with --sign-key and a trusted key's secret key (it replaces the stored signature)";

const refused = (
  message: string,
  details: Record<string, unknown> = {},
  hint = `Only install what the build machine signed: ${REPUBLISH}, or check trustedKeys.`,
) => new DeployKitError("E_SIGNATURE", message, { hint, details });

const blake2b512 = (message: Uint8Array) => createHash("blake2b512").update(message).digest();

function assertOneLine(text: string, what: string): void {
  if (/[\r\n]/.test(text)) {
    throw new DeployKitError("E_INVALID_INPUT", `The ${what} must be one line.`, {
      hint: "Drop the line breaks.",
    });
  }
}

/**
 * Signs `message` and returns the `.minisig` file text, the same bytes `minisign -S` writes
 * (prehashed "ED" unless `legacy`), so `minisign -Vm <file> -P <public key>` verifies it.
 */
export function signMessage(message: Uint8Array, key: SecretKey, options: SignOptions): string {
  return signatureFile(options.legacy ? message : blake2b512(message), key, options);
}

/**
 * Signs a file prehashed ("ED"), streaming it through BLAKE2b-512 (any size, little memory):
 * the `.minisig` text `minisign -S -m <file>` would write.
 *
 * @throws {@link DeployKitError} `E_INVALID_INPUT` for a multi-line comment; the read's error for an unreadable file.
 */
export async function signFile(
  path: string,
  key: SecretKey,
  options: Omit<SignOptions, "legacy">,
): Promise<string> {
  const hash = createHash("blake2b512");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return signatureFile(hash.digest(), key, options);
}

function signatureFile(signed: Uint8Array, key: SecretKey, options: SignOptions): string {
  const { trustedComment, legacy = false } = options;
  const untrusted = options.untrustedComment ?? "signature from deploykit secret key";
  assertOneLine(trustedComment, "trusted comment");
  assertOneLine(untrusted, "untrusted comment");
  const signature = key.sign(signed);
  const struct = Buffer.concat([
    Buffer.from(legacy ? LEGACY : PREHASHED, "latin1"),
    key.publicKey.keyNum,
    signature,
  ]);
  const global = key.sign(Buffer.concat([signature, Buffer.from(trustedComment, "utf8")]));
  return `${UNTRUSTED}${untrusted}\n${struct.toString("base64")}\n${TRUSTED}${trustedComment}\n${global.toString("base64")}\n`;
}

interface ParsedSignature {
  algorithm: string;
  keyNum: Buffer;
  signature: Buffer;
  trustedComment: string;
  global: Buffer;
}

function parseSignature(text: string): ParsedSignature {
  const lines = text.split("\n").map((l) => l.replace(/\r$/, ""));
  const [untrusted, sig, trusted, global] = lines;
  const base64 = (line: string | undefined) =>
    line && /^[A-Za-z0-9+/]+={0,2}$/.test(line.trim()) ? Buffer.from(line.trim(), "base64") : undefined;
  const struct = base64(sig);
  const globalSig = base64(global);
  if (
    !untrusted?.startsWith(UNTRUSTED) ||
    !trusted?.startsWith(TRUSTED) ||
    struct?.length !== 2 + 8 + 64 ||
    globalSig?.length !== 64
  ) {
    throw refused("The signature file is not in minisign's format.");
  }
  return {
    algorithm: struct.subarray(0, 2).toString("latin1"),
    keyNum: struct.subarray(2, 10),
    signature: struct.subarray(10),
    trustedComment: trusted.slice(TRUSTED.length),
    global: globalSig,
  };
}

/**
 * Verifies a `.minisig` file over `message` against a set of trusted keys, both ways minisign
 * signs ("ED" prehashed and legacy "Ed"), including the global signature over the trusted
 * comment.
 *
 * @throws {@link DeployKitError} `E_SIGNATURE` when the file is malformed, names a key not in
 *   `trustedKeys`, or either signature does not verify.
 */
export function verifyMessage(
  message: Uint8Array,
  signatureFile: string,
  trustedKeys: readonly PublicKey[],
): VerifiedSignature {
  const parsed = parseSignature(signatureFile);
  if (parsed.algorithm !== LEGACY && parsed.algorithm !== PREHASHED) {
    throw refused("The signature uses an algorithm minisign does not define.");
  }
  const keyId = keyIdOf(parsed.keyNum);
  const key = trustedKeys.find((k) => k.keyNum.equals(parsed.keyNum));
  if (!key) {
    throw refused(
      `The signature was made by key ${keyId}, which is not a trusted key.`,
      { keyId, trustedKeyIds: trustedKeys.map((k) => k.keyId) },
      `If key ${keyId} is yours, add its public key to trustedKeys (--trusted-keys); otherwise ${REPUBLISH}.`,
    );
  }
  const prehashed = parsed.algorithm === PREHASHED;
  const signed = prehashed ? blake2b512(message) : message;
  const comment = Buffer.from(parsed.trustedComment, "utf8");
  if (
    !verify(null, signed, key.key, parsed.signature) ||
    !verify(null, Buffer.concat([parsed.signature, comment]), key.key, parsed.global)
  ) {
    throw refused(`The signature by key ${keyId} does not match the signed bytes.`, { keyId });
  }
  return { keyId, trustedComment: parsed.trustedComment, prehashed };
}
