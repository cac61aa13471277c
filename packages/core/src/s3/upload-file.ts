import { randomUUID } from "node:crypto";
import { defaultMaxListeners, setMaxListeners } from "node:events";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import type { Readable } from "node:stream";
import type { CompletedPart, ServiceInputTypes, ServiceOutputTypes } from "@aws-sdk/client-s3";
import { DeployKitError } from "../errors";
import type { PutFileOptions } from "../store/artifact-store";
import { withRequestSignal } from "./request-signal";
import { withRetries } from "./retry";
import type { StoreScope } from "./scope";
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  UploadPartCommand,
} from "./sdk";
import { filePartSize } from "./upload";
import { UPLOAD_TOKEN } from "./upload-token";
import { landed, retryingSend, type S3Command, writeObject } from "./write";

/** Read size of each part's file stream: few, large socket writes. */
const CHUNK = 1024 * 1024;

/** What the requests of one file write share. */
interface FileWrite {
  scope: StoreScope;
  key: string;
  path: string;
  /** Its {@link UPLOAD_TOKEN}. */
  token: string;
  /** Aborted by the caller's signal, or by the first part that fails for good. */
  signal: AbortSignal;
  /** The SDK computes CRC32 checksums (`requestChecksumCalculation: WHEN_SUPPORTED`). */
  checksums: boolean;
}

/**
 * The SDK says on the console that it does not retry a request with a streamed body when one
 * fails; this store retries it itself (reopening the file range), so that note is dropped.
 * Every other log line still reaches the client's logger.
 */
function withoutStreamingNote<I extends ServiceInputTypes, O extends ServiceOutputTypes>(
  command: S3Command<I, O>,
): S3Command<I, O> {
  command.middlewareStack.add(
    (next, context) => (args) => {
      const logger = context.logger;
      context.logger = {
        debug: (...content: unknown[]) => logger?.debug(...content),
        info: (...content: unknown[]) => logger?.info(...content),
        warn: () => {},
        error: (...content: unknown[]) => logger?.error(...content),
      };
      return next(args);
    },
    { step: "initialize", name: "deploykitWithoutStreamingNote" },
  );
  return command;
}

const changed = (write: FileWrite) =>
  new DeployKitError("E_CHECKSUM_MISMATCH", `${write.path} got shorter while it was being uploaded.`, {
    hint: "Build it again and upload the new output; do not write to a file while it is published.",
    details: { path: write.path, key: write.key },
  });

/**
 * Sends `make(body)`, whose body streams bytes `start .. start + length - 1` of the file, opened
 * anew for each attempt (the SDK never retries a streamed request; this does, with backoff). A
 * stream body is signed `UNSIGNED-PAYLOAD`: nothing hashes the bytes on the way. Before sending a
 * `final` write again, it checks whether the earlier attempt landed after all.
 */
async function sendRange<I extends ServiceInputTypes, O extends ServiceOutputTypes>(
  write: FileWrite,
  start: number,
  length: number,
  make: (body: Readable, contentLength: number) => S3Command<I, O>,
  final = false,
): Promise<O> {
  const { scope, key, token, signal } = write;
  return withRetries(scope, `writing ${key}`, signal, async (attempt) => {
    if (final && attempt > 1 && (await landed(scope, key, token, signal))) return {} as O;
    return withRequestSignal(signal, async (request) => {
      const short = new AbortController();
      const body = createReadStream(write.path, { start, end: start + length - 1, highWaterMark: CHUNK });
      // A file that shrank would leave the request waiting for bytes that never come.
      body.once("end", () => {
        if (body.bytesRead < length) short.abort(changed(write));
      });
      try {
        return await scope.client.send(withoutStreamingNote(make(body, length)), {
          abortSignal: AbortSignal.any([request, short.signal]),
        });
      } catch (error) {
        if (short.signal.aborted) throw short.signal.reason;
        throw error;
      } finally {
        body.destroy();
      }
    });
  });
}

/** Uploads the parts, `queueSize` at a time; the first one to fail for good stops the others. */
async function uploadParts(
  write: FileWrite,
  uploadId: string,
  size: number,
  partSize: number,
  fail: AbortController,
  onProgress: ((bytes: number) => void) | undefined,
): Promise<CompletedPart[]> {
  const { scope } = write;
  const count = Math.ceil(size / partSize);
  const parts: CompletedPart[] = [];
  let next = 0;
  let sent = 0;
  const worker = async () => {
    while (next < count && !write.signal.aborted) {
      const number = ++next;
      const start = (number - 1) * partSize;
      const out = await sendRange(
        write,
        start,
        Math.min(partSize, size - start),
        (body, contentLength) =>
          new UploadPartCommand({
            Bucket: scope.bucket,
            Key: scope.objectKey(write.key),
            UploadId: uploadId,
            PartNumber: number,
            Body: body,
            ContentLength: contentLength,
            ...(write.checksums ? { ChecksumAlgorithm: "CRC32" } : {}),
          }),
      );
      if (!out.ETag)
        throw new DeployKitError(
          "E_STORE_UNAVAILABLE",
          `${scope.location} sent no ETag for part ${number}.`,
          {
            hint: "The server is not S3-compatible enough for multipart uploads (a proxy dropping headers?).",
          },
        );
      parts[number - 1] = {
        PartNumber: number,
        ETag: out.ETag,
        ...(out.ChecksumCRC32 ? { ChecksumCRC32: out.ChecksumCRC32 } : {}),
      };
      sent += Math.min(partSize, size - start);
      onProgress?.(sent);
    }
  };
  const workers = Array.from({ length: Math.min(scope.queueSize, count) }, () =>
    worker().catch((error: unknown) => {
      if (!fail.signal.aborted) fail.abort(error);
    }),
  );
  await Promise.all(workers);
  if (fail.signal.aborted) throw fail.signal.reason;
  write.signal.throwIfAborted(); // the caller aborted between two parts: never complete a partial upload
  return parts;
}

/**
 * One multipart upload: create, the parts, complete; anything failing on the way aborts the
 * upload (its parts are deleted, with retries, even when the caller aborted).
 */
async function multipart(
  write: FileWrite,
  size: number,
  partSize: number,
  options: PutFileOptions,
  conditional: boolean,
  fail: AbortController,
): Promise<void> {
  const { scope, key, token } = write;
  const target = { Bucket: scope.bucket, Key: scope.objectKey(key) };
  const send = retryingSend(scope, key, token, write.signal);
  const created = await send(
    new CreateMultipartUploadCommand({
      ...target,
      Metadata: { ...options.metadata, [UPLOAD_TOKEN]: token },
      ...(write.checksums ? { ChecksumAlgorithm: "CRC32" } : {}),
    }),
  );
  const uploadId = created.UploadId;
  if (!uploadId)
    throw new DeployKitError("E_STORE_UNAVAILABLE", `${scope.location} sent no UploadId for ${key}.`, {
      hint: "The server is not S3-compatible enough for multipart uploads.",
    });
  try {
    const parts = await uploadParts(write, uploadId, size, partSize, fail, options.onProgress);
    await send(
      new CompleteMultipartUploadCommand({
        ...target,
        UploadId: uploadId,
        MultipartUpload: { Parts: parts },
        ...(conditional ? { IfNoneMatch: "*" } : {}),
      }),
    );
  } catch (error) {
    // Not under the write's signal: an aborted write must still delete its parts. The error that
    // stopped the upload is the one to report, not a failed abort.
    const abort = retryingSend(scope, key, token, undefined);
    await abort(new AbortMultipartUploadCommand({ ...target, UploadId: uploadId })).catch(() => {});
    throw error;
  }
}

/** A file that fits one part: one PutObject streaming it. */
async function putWhole(write: FileWrite, size: number, options: PutFileOptions, conditional: boolean) {
  const { scope, key, token } = write;
  const input = {
    Bucket: scope.bucket,
    Key: scope.objectKey(key),
    Metadata: { ...options.metadata, [UPLOAD_TOKEN]: token },
    ...(conditional ? { IfNoneMatch: "*" } : {}),
  };
  if (size === 0) await retryingSend(scope, key, token, write.signal)(new PutObjectCommand(input));
  else
    await sendRange(
      write,
      0,
      size,
      (body, contentLength) => new PutObjectCommand({ ...input, Body: body, ContentLength: contentLength }),
      true,
    );
  options.onProgress?.(size);
}

/**
 * Writes the file at `path` under `key` without copying or hashing its bytes: each part (or the
 * whole file, when it fits one part) is a read stream of its byte range, sent with its
 * `ContentLength` and signed `UNSIGNED-PAYLOAD` (what the AWS CLI does; integrity is end to end:
 * publish checks the file's sha256, install the manifest's), `queueSize` parts at a time, each
 * retried on its own by reopening its range. Create-only writes follow {@link writeObject};
 * a failed or aborted upload is aborted on the server (no parts left behind).
 *
 * @throws `E_INVALID_INPUT` when `path` is not a readable file; `E_CHECKSUM_MISMATCH` when it
 *   shrinks during the upload; the store's errors (`E_OBJECT_EXISTS`, `E_STORE_UNAVAILABLE`,
 *   `E_ABORTED`...).
 */
export async function uploadFile(
  scope: StoreScope,
  key: string,
  path: string,
  options: PutFileOptions,
): Promise<void> {
  const info = await stat(path).catch((cause: unknown) => {
    throw new DeployKitError("E_INVALID_INPUT", `Cannot upload ${path}: it cannot be read.`, {
      cause,
      hint: "Give the path of an existing file.",
      details: { path, key },
    });
  });
  if (!info.isFile())
    throw new DeployKitError("E_INVALID_INPUT", `Cannot upload ${path}: it is not a file.`, {
      hint: "Give the path of a file.",
      details: { path, key },
    });
  const size = info.size;
  const partSize = filePartSize(size, scope.uploadPartSize, scope.queueSize);
  const checksums = (await scope.client.config.requestChecksumCalculation()) === "WHEN_SUPPORTED";
  await writeObject(scope, key, options, true, async (conditional) => {
    const fail = new AbortController();
    const signal = options.signal ? AbortSignal.any([options.signal, fail.signal]) : fail.signal;
    // Each part in flight holds one listener (its request's link, or its retry wait).
    setMaxListeners(Math.max(scope.queueSize + 2, defaultMaxListeners), signal);
    const write: FileWrite = { scope, key, path, token: randomUUID(), signal, checksums };
    if (size <= partSize) await putWhole(write, size, options, conditional);
    else await multipart(write, size, partSize, options, conditional, fail);
  });
}
