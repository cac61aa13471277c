import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { isIP } from "node:net";
import type { Duplex } from "node:stream";
import { connect as tlsConnect } from "node:tls";

/** The answer to one probe request. */
export interface ProbeResponse {
  status: number;
  body: string;
  /** Response headers, names in lower case (the real probe fills them; doubles may leave them out). */
  headers?: Record<string, string | string[] | undefined>;
}

/**
 * Makes one HTTP GET for health checks. The real one ({@link createHttpProbe}) is built on
 * `node:http` / `node:https`.
 */
export interface HttpProbe {
  /**
   * GETs `url`; rejects on a network error (the error's message says what happened, e.g.
   * `connect ECONNREFUSED 127.0.0.1:6000`) or after `timeoutMs` (ms).
   */
  get(url: string, options: { timeoutMs: number; signal?: AbortSignal }): Promise<ProbeResponse>;
}

/** Bodies are read up to this many bytes (a health answer is short; the rest is dropped). */
const MAX_BODY = 64 * 1024;

/** Options for {@link createHttpProbe}. */
export interface HttpProbeOptions {
  /**
   * Opens the byte stream to `host`:`port` instead of a TCP socket from this machine: how a
   * remote host's probe reaches the URL from the server's side (`HostConnection.connect`, an
   * `ssh -W` channel). TLS runs over it for https (certificates verified as usual).
   */
  connect?: (host: string, port: number) => Promise<Duplex>;
}

/**
 * The production {@link HttpProbe}, on `node:http` / `node:https` rather than `fetch`: it reaches
 * any port (fetch refuses "bad ports" such as 6000, 6665–6669, 5060 or 10080, a `.deb` app's
 * default among them) and rejects with the socket's own error (`connect ECONNREFUSED …`,
 * `socket hang up`, `no answer within 2000 ms`) instead of "fetch failed". One connection per
 * request (`connection: close`), no redirects followed, TLS certificates verified.
 */
export function createHttpProbe(options: HttpProbeOptions = {}): HttpProbe {
  const { connect } = options;
  return {
    get(url, { timeoutMs, signal }) {
      return new Promise<ProbeResponse>((resolve, reject) => {
        const target = new URL(url);
        const tls = target.protocol === "https:";
        const port = Number(target.port || (tls ? 443 : 80));
        const hostname = target.hostname.replace(/^\[(.*)\]$/, "$1");
        const tunnel = connect
          ? {
              createConnection: (_options: unknown, done: (error: Error | null, stream?: Duplex) => void) => {
                connect(hostname, port).then(
                  (stream) =>
                    done(
                      null,
                      tls
                        ? tlsConnect({ socket: stream, ...(isIP(hostname) ? {} : { servername: hostname }) })
                        : stream,
                    ),
                  (error: Error) => done(error),
                );
                return undefined;
              },
            }
          : {};
        const request = (tls ? httpsRequest : httpRequest)(target, {
          method: "GET",
          headers: { connection: "close" },
          ...(signal ? { signal } : {}),
          ...tunnel,
        } as Parameters<typeof httpRequest>[1]);
        const timer = setTimeout(
          () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)),
          timeoutMs,
        );
        request.once("error", (error) => {
          clearTimeout(timer);
          reject(error);
        });
        request.once("response", (response) => {
          const chunks: Buffer[] = [];
          let size = 0;
          response.on("data", (chunk: Buffer) => {
            if (size < MAX_BODY) chunks.push(chunk);
            size += chunk.length;
          });
          response.once("error", reject);
          response.once("end", () => {
            clearTimeout(timer);
            resolve({
              status: response.statusCode ?? 0,
              headers: response.headers,
              body: Buffer.concat(chunks).subarray(0, MAX_BODY).toString("utf8"),
            });
          });
        });
        request.end();
      });
    },
  };
}
