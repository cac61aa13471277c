import { createRequire } from "node:module";
import { DeployKitError } from "../errors";
import type { StoreScope } from "./scope";
import { GetObjectCommand } from "./sdk";

type Presigner = typeof import("@aws-sdk/s3-request-presigner");

/** The longest a SigV4 presigned URL may live: 7 days, in s (AWS's limit). */
const MAX_EXPIRES_S = 7 * 24 * 3600;

/**
 * `@aws-sdk/s3-request-presigner`, loaded on first use: only hosts that fetch artifacts
 * themselves need it, so it is an optional peer the S3 store works without.
 */
function loadPresigner(): Presigner {
  try {
    return createRequire(import.meta.url)("@aws-sdk/s3-request-presigner") as Presigner;
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code !== "MODULE_NOT_FOUND") throw cause;
    throw new DeployKitError(
      "E_DEPENDENCY_MISSING",
      "Presigned URLs (hosts fetching artifacts themselves) need @aws-sdk/s3-request-presigner, which is not installed.",
      {
        cause,
        hint: "npm install @aws-sdk/s3-request-presigner, or let the artifact stream through this machine (transfer: stream).",
        details: { missing: "@aws-sdk/s3-request-presigner" },
      },
    );
  }
}

/**
 * A presigned GET URL of one object (SigV4 query signing, the AWS CLI's `aws s3 presign`): anyone
 * holding it can read that object, and nothing else, for `expiresInS` seconds.
 *
 * @throws {@link DeployKitError} `E_INVALID_INPUT` for an expiry outside 1 s .. 7 days,
 *   `E_DEPENDENCY_MISSING` without the presigner package.
 */
export async function presignedGet(scope: StoreScope, key: string, expiresInS: number): Promise<string> {
  if (!Number.isInteger(expiresInS) || expiresInS < 1 || expiresInS > MAX_EXPIRES_S) {
    throw new DeployKitError(
      "E_INVALID_INPUT",
      `A presigned URL's lifetime must be 1 to ${MAX_EXPIRES_S} s, not ${expiresInS}.`,
      { hint: "Give whole seconds, e.g. 900 (15 minutes)." },
    );
  }
  const { getSignedUrl } = loadPresigner();
  return getSignedUrl(
    scope.client,
    new GetObjectCommand({ Bucket: scope.bucket, Key: scope.objectKey(key) }),
    { expiresIn: expiresInS },
  );
}
