/** The answer to one probe request. */
export interface ProbeResponse {
  status: number;
  body: string;
}

/** Makes one HTTP GET for health checks. The real one uses `fetch`. */
export interface HttpProbe {
  /** GETs `url`; rejects on a network error or after `timeoutMs`. */
  get(url: string, options: { timeoutMs: number; signal?: AbortSignal }): Promise<ProbeResponse>;
}

/** The production {@link HttpProbe}, on the global `fetch`. */
export function createFetchProbe(): HttpProbe {
  return {
    async get(url, { timeoutMs, signal }) {
      const timeout = AbortSignal.timeout(timeoutMs);
      const response = await fetch(url, {
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
        headers: { connection: "close" },
      });
      return { status: response.status, body: await response.text() };
    },
  };
}
