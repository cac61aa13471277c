/**
 * The S3 artifact store, a separate entry point so embedding `@deploykit/core` does not pull in
 * the AWS SDK for users of the filesystem store: `import { createS3Store } from "@deploykit/core/s3"`.
 *
 * @packageDocumentation
 */
export { isTransientS3Error, TruncatedBodyError } from "./errors";
export type { ChecksumMode, S3RetryOptions, S3StoreOptions } from "./options";
export { createS3Store, type S3Store } from "./store";
export { filePartSize, MAX_FILE_PART, MAX_PARTS, uploadPartSize } from "./upload";
export { isS3StoreUrl, parseS3StoreUrl, type S3StoreUrl } from "./url";
