import { DeployKitError } from "../errors";
import { type PublicKey, parsePublicKey } from "./minisign-key";

/**
 * Which signatures an install trusts (DESIGN.md, "Trust"). The same names are the CLI's flags
 * (`--trusted-keys`, `--require-signature`) and config-file keys.
 */
export interface TrustPolicy {
  /**
   * minisign public keys whose signatures are trusted: the base64 line (`RWQ...`) or the whole
   * `.pub` file text. Give two while rotating keys (releases signed by either install).
   */
  trustedKeys?: readonly string[];
  /**
   * Refuse unsigned releases and channels. Default: `true` as soon as a trusted key is given,
   * `false` without any. A signature that is present but wrong is refused either way.
   */
  requireSignature?: boolean;
}

/** A checked {@link TrustPolicy}. */
export interface Trust {
  keys: PublicKey[];
  /** Unsigned releases and channels are refused. */
  required: boolean;
}

/**
 * Checks a {@link TrustPolicy}; `undefined` when nothing is to be verified (no keys, and a
 * signature not required).
 *
 * @throws {@link DeployKitError} `E_INVALID_INPUT` for a malformed key, or `requireSignature`
 *   without any trusted key.
 */
export function resolveTrust(policy: TrustPolicy): Trust | undefined {
  const keys = (policy.trustedKeys ?? []).map((text) => parsePublicKey(text));
  const required = policy.requireSignature ?? keys.length > 0;
  if (required && keys.length === 0) {
    throw new DeployKitError("E_INVALID_INPUT", "requireSignature is set but no trusted key is given.", {
      hint: "Pass trustedKeys (--trusted-keys RWQ...): the public key printed by `deploykit keys generate`.",
    });
  }
  return keys.length === 0 ? undefined : { keys, required };
}
