import pRetry from "p-retry";
import type { EventSink } from "../events";
import { storeAborted } from "../store/keys";
import { isTransientS3Error, type S3ErrorContext, toStoreError } from "./errors";
import type { S3RetryOptions } from "./options";

/** What {@link withRetries} needs besides the work itself. */
export interface RetryScope extends Omit<S3ErrorContext, "action" | "attempts"> {
  retry: Required<S3RetryOptions>;
  onEvent: EventSink | undefined;
}

/**
 * Runs `work` (one whole, replayable operation) and retries it with exponential backoff and
 * jitter while it fails transiently. Any final failure is a DeployKitError (see `toStoreError`).
 */
export async function withRetries<T>(
  scope: RetryScope,
  action: string,
  signal: AbortSignal | undefined,
  work: (attempt: number) => Promise<T>,
): Promise<T> {
  let attempts = 0;
  try {
    return await pRetry(
      async (attempt) => {
        attempts = attempt;
        return work(attempt);
      },
      {
        ...scope.retry,
        factor: 2,
        randomize: true,
        signal,
        shouldRetry: ({ error }) => isTransientS3Error(error) && !signal?.aborted,
        onFailedAttempt: ({ error, retriesLeft }) => {
          if (retriesLeft > 0 && isTransientS3Error(error) && !signal?.aborted)
            scope.onEvent?.({
              type: "warning",
              step: "store",
              message: `Retrying ${action} in ${scope.location} after: ${error.message}`,
            });
        },
      },
    );
  } catch (error) {
    if (signal?.aborted) throw storeAborted(scope.location, action, signal.reason);
    throw toStoreError(error, { ...scope, action, attempts });
  }
}
