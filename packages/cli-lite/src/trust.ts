import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { DeployKitError, readSecretKey, type SecretKey, type TrustPolicy } from "@deploykit/core";
import type { Settings } from "./settings";

/** A minisign public key's base64 line: "Ed" + key id + key, 42 bytes. */
const KEY_LINE = /^RW[A-Za-z0-9+/]{54}$/;

/** The password of an encrypted secret key is only ever read from this variable. */
export const SIGN_KEY_PASSWORD_ENV = "DEPLOYKIT_SIGN_KEY_PASSWORD";

async function publicKeyFile(path: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (cause) {
    throw new DeployKitError(
      "E_INVALID_INPUT",
      `${path} is neither a public key (RWQ...) nor a readable key file.`,
      {
        cause,
        hint: "Pass the line `deploykit keys generate` printed, or the path of a .pub file.",
        details: { path },
      },
    );
  }
}

/**
 * `--trusted-keys` (config `trustedKeys`): each a public key's base64 line or the path of a
 * `.pub` file; `--require-signature` / `--no-require-signature` (config `requireSignature`).
 */
export async function trustFromSettings(settings: Settings, cwd: string): Promise<TrustPolicy> {
  const values = settings.list("trustedKeys", "trustedKeys");
  const requireSignature = settings.boolean("requireSignature");
  const trustedKeys =
    values && (await Promise.all(values.map((v) => (KEY_LINE.test(v) ? v : publicKeyFile(resolve(cwd, v))))));
  return {
    ...(trustedKeys ? { trustedKeys } : {}),
    ...(requireSignature !== undefined ? { requireSignature } : {}),
  };
}

/**
 * The publish signing key: `--sign-key FILE`, else the config's `signKey`, else
 * `DEPLOYKIT_SIGN_KEY`; an encrypted key's password comes from `DEPLOYKIT_SIGN_KEY_PASSWORD`.
 */
export async function signKeyFromSettings(
  settings: Settings,
  cwd: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<SecretKey | undefined> {
  const path = settings.string("signKey") ?? (env.DEPLOYKIT_SIGN_KEY || undefined);
  if (path === undefined) return undefined;
  const password = env[SIGN_KEY_PASSWORD_ENV];
  return readSecretKey(resolve(cwd, path), password === undefined ? {} : { password });
}

/** The signing flag of publish and vendor. */
export const signKeyArgs = {
  "sign-key": {
    type: "string",
    valueHint: "file",
    description:
      "Sign with this minisign secret key (config: signKey; env DEPLOYKIT_SIGN_KEY; password: DEPLOYKIT_SIGN_KEY_PASSWORD)",
  },
} as const;

/** Flags of the commands that install: the trust policy. */
export const trustArgs = {
  "trusted-keys": {
    type: "string",
    valueHint: "key,…",
    description:
      "Install only releases signed by one of these minisign public keys, RWQ… or a .pub file (config: trustedKeys)",
  },
  "require-signature": {
    type: "boolean",
    description: "Refuse unsigned releases (config: requireSignature; default on with trusted keys)",
  },
} as const;
