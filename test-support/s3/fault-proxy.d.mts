/** The request a fault predicate sees. */
export interface RequestInfo {
  method: string;
  /** Path and query, e.g. `/bucket/apps/web/x.tgz?partNumber=2&uploadId=...`. */
  url: string;
  /** Request headers, lowercase names (e.g. `range`, `if-none-match`). */
  headers: Record<string, string | string[] | undefined>;
}

/** What the proxy does to traffic. Mutable while the proxy runs (`proxy.faults`). */
export interface Faults {
  /** Which requests the faults below apply to; default all. */
  match?: (request: RequestInfo) => boolean;
  /** Answer every matching request with this S3 error instead of forwarding it (e.g. 403 AccessDenied). */
  answer?: { status: number; code?: string };
  /** Fraction (0..1) of matching requests answered `failStatus` without reaching the server. */
  failFraction?: number;
  /** 1-based numbers of matching requests to fail that way. */
  failNth?: number[];
  /** Status of injected failures; default 503 (SlowDown). */
  failStatus?: number;
  /** Fraction of matching responses whose body is cut at a random byte by a TCP reset. */
  resetFraction?: number;
  /** Cut the response body of every request this returns true for (besides `resetFraction`'s), e.g. the first ranged GET. */
  resetWhen?: (request: RequestInfo) => boolean;
  /** Fraction of request bodies cut at a random byte by a TCP reset. */
  requestResetFraction?: number;
  /** Which requests may have their body reset; default `match`. */
  requestResetMatch?: (request: RequestInfo) => boolean;
  /** Every matching response body is cut in half and ended cleanly (Content-Length rewritten). */
  truncate?: boolean;
  /** Delay before handling each request, in ms. */
  latencyMs?: number;
  /** Per-connection bandwidth limit, each direction, in bytes per second. */
  bytesPerSecond?: number;
}

/** Counters of what the proxy saw and did. */
export interface FaultStats {
  requests: number;
  matched: number;
  failed: number;
  resets: number;
  truncated: number;
  answered: number;
  /** Requests being handled right now, and the most at once. */
  inFlight: number;
  maxInFlight: number;
  byMethod: Record<string, number>;
}

/** A running fault proxy. */
export interface FaultProxy {
  /** Point the S3 client here, e.g. `http://127.0.0.1:40111`. */
  endpoint: string;
  faults: Faults;
  stats: FaultStats;
  /**
   * Replaces every fault with `faults` (injected failures stay 503 unless `failStatus` says
   * otherwise). With `first`, the faults apply to the first `first` matching requests only
   * (e.g. one truncated body), and every later request passes through untouched.
   */
  inject(faults: Faults, options?: { first?: number }): void;
  stop(): Promise<void>;
}

/**
 * Starts an HTTP proxy on 127.0.0.1 (random port) in front of `target` that injects `faults`.
 * Randomness comes from a seeded PRNG (`seed`, default 1) so a run can be replayed. The Host
 * header is passed through unchanged, so it works with servers that check SigV4 (MinIO) or none (s3rver).
 */
export declare function startFaultProxy(
  options: Faults & { target: string; seed?: number },
): Promise<FaultProxy>;
