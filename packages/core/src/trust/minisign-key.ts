import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  sign,
} from "node:crypto";
import { inspect } from "node:util";
import { blake2b } from "@noble/hashes/blake2.js";
import { DeployKitError } from "../errors";
import { kdfStream, MEMLIMIT_SENSITIVE, OPSLIMIT_SENSITIVE } from "./minisign-kdf";

// minisign's binary layouts (src/minisign.h of the minisign tool): every field is raw bytes,
// files hold one `untrusted comment:` line and the base64 of the struct.
const SIG_ALG = "Ed";
const KDF_SCRYPT = "Sc";
const KDF_NONE = "\0\0";
const CHK_BLAKE2B = "B2";
const KEYNUM = 8;
/** "Ed" + keynum + Ed25519 public key. */
const PUBLIC_KEY_BYTES = 2 + KEYNUM + 32;
/** sig_alg, kdf_alg, chk_alg, kdf_salt, opslimit, memlimit, then keynum + sk (seed + pk) + chk. */
const SECRET_KEY_BYTES = 2 + 2 + 2 + 32 + 8 + 8 + KEYNUM + 64 + 32;
const KEYNUM_SK_AT = 54;
const UNTRUSTED = "untrusted comment: ";

/** A minisign public key: what `trustedKeys` holds and signatures are checked against. */
export interface PublicKey {
  /** Key id as minisign prints it: 16 uppercase hex digits (the little-endian key number). */
  keyId: string;
  /** The 8-byte key number a signature names its key by. */
  keyNum: Buffer;
  /** The base64 line of the public key file (what `minisign -P` takes), e.g. `RWQ...`. */
  text: string;
  /** The Ed25519 key, for `crypto.verify`. */
  key: KeyObject;
}

const b64url = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64url");

/** minisign prints a key number as a little-endian 64-bit integer in hex. */
export const keyIdOf = (keyNum: Uint8Array) => Buffer.from(keyNum).reverse().toString("hex").toUpperCase();

function publicKeyOf(keyNum: Buffer, pk: Buffer): PublicKey {
  const struct = Buffer.concat([Buffer.from(SIG_ALG, "latin1"), keyNum, pk]);
  return {
    keyId: keyIdOf(keyNum),
    keyNum,
    text: struct.toString("base64"),
    key: createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: b64url(pk) }, format: "jwk" }),
  };
}

const badKey = (what: string, why: string) =>
  new DeployKitError("E_INVALID_INPUT", `${what} is not a minisign key: ${why}.`, {
    hint: "Use a key made by `deploykit keys generate` or `minisign -G` (the base64 line, or the whole file).",
  });

/** The base64 line of a key file, or the value itself when it is only that line. */
function keyLine(text: string, what: string): Buffer {
  const lines = text.split("\n").map((l) => l.replace(/\r$/, "").trim());
  const line = lines[0]?.startsWith(UNTRUSTED) ? lines[1] : lines[0];
  if (!line || !/^[A-Za-z0-9+/]+={0,2}$/.test(line)) throw badKey(what, "no base64 key line");
  return Buffer.from(line, "base64");
}

/**
 * Parses a minisign public key: the base64 line (`RWQ...`, as `minisign -P` takes it) or the
 * whole `minisign.pub` file text.
 *
 * @throws {@link DeployKitError} `E_INVALID_INPUT` when it is not an Ed25519 minisign public key.
 */
export function parsePublicKey(text: string): PublicKey {
  const struct = keyLine(text, "The public key");
  if (struct.length !== PUBLIC_KEY_BYTES) throw badKey("The public key", `${struct.length} bytes, not 42`);
  if (struct.subarray(0, 2).toString("latin1") !== SIG_ALG) throw badKey("The public key", "not Ed25519");
  return publicKeyOf(struct.subarray(2, 2 + KEYNUM), struct.subarray(2 + KEYNUM));
}

/** The `minisign.pub` file text for a key, as `minisign -G` writes it. */
export function publicKeyFileText(key: PublicKey): string {
  return `${UNTRUSTED}minisign public key ${key.keyId}\n${key.text}\n`;
}

/**
 * A loaded minisign secret key. It signs and tells its public key; it never serialises or
 * prints its secret (JSON and `util.inspect` show only the key id).
 */
export class SecretKey {
  /** Key id (16 uppercase hex digits), the same as its public key's. */
  readonly keyId: string;
  /** The matching public key. */
  readonly publicKey: PublicKey;
  readonly #key: KeyObject;

  /** @internal Use {@link parseSecretKey}, {@link readSecretKey} or {@link generateSigningKey}. */
  constructor(keyNum: Buffer, seed: Buffer) {
    // The public half is derived from the seed (PKCS#8 wrapping of RFC 8410), never trusted from a file.
    const pkcs8 = Buffer.concat([Buffer.from("302e020100300506032b657004220420", "hex"), seed]);
    this.#key = createPrivateKey({ key: pkcs8, format: "der", type: "pkcs8" });
    pkcs8.fill(0);
    const pk = Buffer.from(createPublicKey(this.#key).export({ format: "jwk" }).x as string, "base64url");
    this.publicKey = publicKeyOf(keyNum, pk);
    this.keyId = this.publicKey.keyId;
  }

  /** An Ed25519 signature (64 bytes) of `message`. */
  sign(message: Uint8Array): Buffer {
    return sign(null, message, this.#key);
  }

  /** Only the key id and the public key: the secret never leaves the object. */
  toJSON(): { keyId: string; publicKey: string } {
    return { keyId: this.keyId, publicKey: this.publicKey.text };
  }

  [inspect.custom](): string {
    return `SecretKey { keyId: '${this.keyId}' }`;
  }
}

/** Options for {@link parseSecretKey}. */
export interface SecretKeyOptions {
  /** The password of an encrypted (scrypt) key; unencrypted keys (`minisign -W`) need none. */
  password?: string;
}

/** XORs the scrypt key stream over the `keynum_sk` block (encrypts and decrypts alike). */
function xorInto(struct: Buffer, stream: Buffer): void {
  stream.forEach((byte, i) => {
    struct.writeUInt8((struct.readUInt8(KEYNUM_SK_AT + i) ^ byte) & 0xff, KEYNUM_SK_AT + i);
  });
  stream.fill(0);
}

/** `chk`: BLAKE2b-256 of sig_alg ‖ keynum ‖ sk, which minisign checks after decrypting. */
const checksum = (struct: Buffer) =>
  Buffer.from(
    blake2b(
      Buffer.concat([struct.subarray(0, 2), struct.subarray(KEYNUM_SK_AT, KEYNUM_SK_AT + KEYNUM + 64)]),
      { dkLen: 32 },
    ),
  );

/**
 * Parses a minisign secret key file, encrypted (scrypt, `kdf_alg` "Sc", as `minisign -G`
 * writes it) or not (`minisign -G -W`). Decrypting takes about a second and up to 1 GiB of
 * memory: the cost is what the file asks for.
 *
 * @throws {@link DeployKitError} `E_INVALID_INPUT` for a malformed key, a missing or wrong password.
 */
export async function parseSecretKey(text: string, options: SecretKeyOptions = {}): Promise<SecretKey> {
  const struct = keyLine(text, "The secret key");
  if (struct.length !== SECRET_KEY_BYTES) throw badKey("The secret key", `${struct.length} bytes, not 158`);
  const field = (at: number) => struct.subarray(at, at + 2).toString("latin1");
  if (field(0) !== SIG_ALG) throw badKey("The secret key", "not Ed25519");
  if (field(4) !== CHK_BLAKE2B) throw badKey("The secret key", "unknown checksum algorithm");
  const kdf = field(2);
  if (kdf !== KDF_NONE && kdf !== KDF_SCRYPT) throw badKey("The secret key", "unknown key derivation");
  if (kdf === KDF_SCRYPT) {
    if (options.password === undefined) {
      throw new DeployKitError("E_INVALID_INPUT", "The secret key is encrypted and no password was given.", {
        hint: "Set DEPLOYKIT_SIGN_KEY_PASSWORD (SDK: password), or use a key written without one.",
      });
    }
    const stream = await kdfStream(
      options.password,
      struct.subarray(6, 38),
      Number(struct.readBigUInt64LE(38)),
      Number(struct.readBigUInt64LE(46)),
      KEYNUM + 64 + 32,
    );
    xorInto(struct, stream);
  }
  const keyNum = Buffer.from(struct.subarray(KEYNUM_SK_AT, KEYNUM_SK_AT + KEYNUM));
  const sk = struct.subarray(KEYNUM_SK_AT + KEYNUM, KEYNUM_SK_AT + KEYNUM + 64);
  const chk = struct.subarray(KEYNUM_SK_AT + KEYNUM + 64);
  // minisign -W leaves chk zero; otherwise it must match (a wrong password never does).
  if (chk.some((b) => b !== 0) && !checksum(struct).equals(chk)) {
    throw new DeployKitError(
      "E_INVALID_INPUT",
      "The secret key's password is wrong (or the file is damaged).",
      {
        hint: "Check DEPLOYKIT_SIGN_KEY_PASSWORD (SDK: password).",
      },
    );
  }
  const seed = Buffer.from(sk.subarray(0, 32));
  const key = new SecretKey(keyNum, seed);
  const consistent = key.publicKey.text === publicKeyOf(keyNum, Buffer.from(sk.subarray(32))).text;
  seed.fill(0);
  struct.fill(0);
  if (!consistent) {
    throw new DeployKitError("E_INVALID_INPUT", "The secret key does not hold a matching key pair.", {
      hint: "The password is wrong or the file is damaged: check DEPLOYKIT_SIGN_KEY_PASSWORD, or generate a new key.",
    });
  }
  return key;
}

/** A fresh key pair: the secret key file text and the public key. */
export interface GeneratedKeyPair {
  /** The secret key file, in minisign's format; write it with mode 0600 and never log it. */
  secretKeyFile: string;
  publicKey: PublicKey;
}

/**
 * Makes a new Ed25519 key pair in minisign's formats. With a password the secret key is
 * encrypted the way `minisign -G` does it (scrypt with libsodium's "sensitive" limits: about
 * a second and 1 GiB of memory, again at every load); without one it is written as
 * `minisign -G -W` does.
 */
export async function generateKeyPair(options: SecretKeyOptions = {}): Promise<GeneratedKeyPair> {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  const seed = Buffer.from(privateKey.export({ format: "jwk" }).d as string, "base64url");
  const pk = Buffer.from(publicKey.export({ format: "jwk" }).x as string, "base64url");
  const keyNum = randomBytes(KEYNUM);
  const struct = Buffer.alloc(SECRET_KEY_BYTES);
  struct.write(SIG_ALG, 0, "latin1");
  struct.write(options.password === undefined ? KDF_NONE : KDF_SCRYPT, 2, "latin1");
  struct.write(CHK_BLAKE2B, 4, "latin1");
  Buffer.concat([keyNum, seed, pk]).copy(struct, KEYNUM_SK_AT);
  if (options.password !== undefined) {
    const salt = randomBytes(32);
    salt.copy(struct, 6);
    struct.writeBigUInt64LE(BigInt(OPSLIMIT_SENSITIVE), 38);
    struct.writeBigUInt64LE(BigInt(MEMLIMIT_SENSITIVE), 46);
    checksum(struct).copy(struct, KEYNUM_SK_AT + KEYNUM + 64);
    const stream = await kdfStream(options.password, salt, OPSLIMIT_SENSITIVE, MEMLIMIT_SENSITIVE, 104);
    xorInto(struct, stream);
  }
  const secretKeyFile = `${UNTRUSTED}minisign encrypted secret key\n${struct.toString("base64")}\n`;
  struct.fill(0);
  seed.fill(0);
  return { secretKeyFile, publicKey: publicKeyOf(keyNum, pk) };
}
