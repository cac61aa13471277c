import { resolve } from "node:path";
import { generateSigningKey } from "@deploykit/core";
import type { CommandSpec } from "../command";
import { SIGN_KEY_PASSWORD_ENV } from "../trust";
import { UsageError } from "../usage";

const args = {
  action: { type: "positional", description: "generate", required: true },
  "secret-key": {
    type: "string",
    valueHint: "file",
    description: "Where to write the secret key (mode 0600, never overwritten; config: secretKey)",
  },
  "public-key": {
    type: "string",
    valueHint: "file",
    description: "Also write the public key file, minisign.pub format (config: publicKey)",
  },
} as const;

/** `deploykit keys generate` → `generateSigningKey()`. */
export const keysCommand: CommandSpec<typeof args> = {
  name: "keys",
  description: `Generate a minisign signing key pair (encrypted when ${SIGN_KEY_PASSWORD_ENV} is set); prints the public key`,
  args,
  async run({ args, settings, io }) {
    if (args.action !== "generate") {
      throw new UsageError(
        `Unknown keys action "${args.action}".`,
        "The only action is: deploykit keys generate --secret-key FILE.",
      );
    }
    const secretKeyPath = resolve(io.cwd, settings.requiredString("secretKey"));
    const publicKey = settings.string("publicKey");
    const password = process.env[SIGN_KEY_PASSWORD_ENV];
    const result = await generateSigningKey({
      secretKeyPath,
      ...(publicKey !== undefined ? { publicKeyPath: resolve(io.cwd, publicKey) } : {}),
      ...(password !== undefined ? { password } : {}),
    });
    return {
      value: result,
      lines: [
        `Secret key ${result.keyId} written to ${secretKeyPath} (mode 0600): keep it secret; publish with --sign-key.`,
        ...(result.publicKeyPath ? [`Public key file written to ${result.publicKeyPath}.`] : []),
        "Public key (for --trusted-keys / trustedKeys, or minisign -P):",
        result.publicKey,
      ],
    };
  },
};
