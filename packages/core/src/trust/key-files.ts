import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { DeployKitError } from "../errors";
import {
  generateKeyPair,
  parseSecretKey,
  publicKeyFileText,
  SecretKey,
  type SecretKeyOptions,
} from "./minisign-key";

/**
 * Reads a minisign secret key file (`deploykit keys generate` or `minisign -G`, encrypted or
 * written with `-W`).
 *
 * @throws {@link DeployKitError} `E_INVALID_INPUT` when the file cannot be read, is not a
 *   minisign secret key, or the password is missing or wrong.
 */
export async function readSecretKey(path: string, options: SecretKeyOptions = {}): Promise<SecretKey> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (cause) {
    throw new DeployKitError("E_INVALID_INPUT", `The secret key ${path} cannot be read.`, {
      cause,
      hint: "Pass the file `deploykit keys generate` wrote (--sign-key FILE or DEPLOYKIT_SIGN_KEY).",
      details: { path },
    });
  }
  return parseSecretKey(text, options);
}

/** The `signKey` of a publish: a loaded key, or the path of an unencrypted key file. */
export type SignKey = SecretKey | string;

/** Loads a {@link SignKey}; `undefined` stays `undefined`. @throws `E_INVALID_INPUT` */
export async function loadSignKey(signKey: SignKey | undefined): Promise<SecretKey | undefined> {
  if (signKey === undefined || signKey instanceof SecretKey) return signKey;
  return readSecretKey(signKey);
}

/** Options for {@link generateSigningKey}. */
export interface GenerateKeyOptions extends SecretKeyOptions {
  /** Where to write the secret key (mode 0600). Refused when the file exists. */
  secretKeyPath: string;
  /** Where to write the public key file too (`minisign.pub` format), if wanted. Refused when it exists. */
  publicKeyPath?: string;
}

/** What {@link generateSigningKey} made. The secret key is only in its file. */
export interface GeneratedSigningKey {
  /** Key id (16 uppercase hex digits). */
  keyId: string;
  /** The public key's base64 line: what `trustedKeys` and `minisign -P` take. */
  publicKey: string;
  secretKeyPath: string;
  publicKeyPath?: string;
}

const exists = (path: string, cause: unknown) =>
  new DeployKitError("E_INVALID_INPUT", `${path} already exists; a key file is never overwritten.`, {
    cause,
    hint: "Choose another path, or move the old key away on purpose first.",
    details: { path },
  });

async function writeNew(path: string, text: string, mode: number): Promise<void> {
  try {
    // A missing directory is created private (like ssh-keygen's ~/.ssh): it holds a secret key.
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    await writeFile(path, text, { flag: "wx", mode });
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === "EEXIST") throw exists(path, cause);
    throw new DeployKitError("E_INVALID_INPUT", `${path} cannot be written.`, {
      cause,
      hint: "Check that its directory exists and is writable.",
      details: { path },
    });
  }
}

/**
 * Generates an Ed25519 signing key pair in minisign's formats: the secret key file is created
 * with mode 0600 (encrypted with scrypt when a password is given, as `minisign -G`; otherwise as
 * `minisign -G -W`), the public key is returned and optionally written as a `.pub` file.
 *
 * @throws {@link DeployKitError} `E_INVALID_INPUT` when a target file exists or cannot be written
 *   (nothing is left behind).
 */
export async function generateSigningKey(options: GenerateKeyOptions): Promise<GeneratedSigningKey> {
  const { secretKeyPath, publicKeyPath } = options;
  const pair = await generateKeyPair(options.password === undefined ? {} : { password: options.password });
  await writeNew(secretKeyPath, pair.secretKeyFile, 0o600);
  if (publicKeyPath !== undefined) {
    try {
      await writeNew(publicKeyPath, publicKeyFileText(pair.publicKey), 0o644);
    } catch (error) {
      await rm(secretKeyPath, { force: true });
      throw error;
    }
  }
  return {
    keyId: pair.publicKey.keyId,
    publicKey: pair.publicKey.text,
    secretKeyPath,
    ...(publicKeyPath !== undefined ? { publicKeyPath } : {}),
  };
}
