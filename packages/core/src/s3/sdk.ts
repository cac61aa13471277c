import { createRequire } from "node:module";
import { DeployKitError } from "../errors";

/**
 * The AWS SDK, loaded when `@deploykit/core/s3` is imported. It is an optional peer dependency
 * (users of the filesystem store never need its 20+ MB), so it is loaded with `require` from
 * here rather than imported statically: a static import of a missing package fails while Node
 * links the module, as a raw `ERR_MODULE_NOT_FOUND`, before any code of ours could explain it.
 *
 * @throws {@link DeployKitError} `E_DEPENDENCY_MISSING` with the install command.
 */
function loadSdk(): {
  client: typeof import("@aws-sdk/client-s3");
  storage: typeof import("@aws-sdk/lib-storage");
} {
  const require = createRequire(import.meta.url);
  const load = <T>(name: string): T => {
    try {
      return require(name) as T;
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code !== "MODULE_NOT_FOUND") throw cause;
      throw new DeployKitError(
        "E_DEPENDENCY_MISSING",
        `The S3 store needs ${name}, which is not installed.`,
        {
          cause,
          hint: "Install the AWS SDK next to deploykit: npm install @aws-sdk/client-s3 @aws-sdk/lib-storage",
          details: { missing: name },
        },
      );
    }
  };
  return { client: load("@aws-sdk/client-s3"), storage: load("@aws-sdk/lib-storage") };
}

const sdk = loadSdk();

export const {
  S3Client,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  DeleteObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  CreateMultipartUploadCommand,
  UploadPartCommand,
  CompleteMultipartUploadCommand,
  AbortMultipartUploadCommand,
} = sdk.client;
export const { Upload } = sdk.storage;
/** The S3 client class's instances. */
export type S3Client = import("@aws-sdk/client-s3").S3Client;
