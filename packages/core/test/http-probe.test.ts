// Issue 12 item 2: the health probe reaches any port (fetch refuses "bad ports" such as 6000)
// and reports the real connection error instead of "fetch failed".
import { createServer, type Server } from "node:http";
import { createServer as createTcpServer } from "node:net";
import { createHttpProbe, isDeployKitError, probeHealth, waitHealthy } from "@deploykit/core";
import { createFakeClock } from "@deploykit/core/testing";
import { afterEach, describe, expect, it } from "vitest";

// Ports on the fetch spec's bad-port list; the test takes the first one free on this machine.
const BAD_PORTS = [6000, 6665, 6666, 6667, 6668, 6669, 5060, 10080, 6697];
let server: Server | undefined;

afterEach(async () => {
  await new Promise((done) => (server ? server.close(done) : done(undefined)));
  server = undefined;
});

async function serveOnBadPort(): Promise<number> {
  for (const port of BAD_PORTS) {
    const candidate = createServer((request, response) => response.end(`ok ${request.url}`));
    const bound = await new Promise<boolean>((done) => {
      candidate.once("error", () => done(false));
      candidate.listen(port, "127.0.0.1", () => done(true));
    });
    if (bound) {
      server = candidate;
      return port;
    }
  }
  throw new Error(`none of ${BAD_PORTS.join(", ")} is free`);
}

async function closedPort(): Promise<number> {
  const probe = createTcpServer();
  await new Promise<void>((done) => probe.listen(0, "127.0.0.1", done));
  const { port } = probe.address() as { port: number };
  await new Promise((done) => probe.close(done));
  return port;
}

describe("the health probe", () => {
  it("passes the gate for an app on a port fetch refuses", async () => {
    const port = await serveOnBadPort();
    const url = `http://127.0.0.1:${port}/health`;
    await expect(fetch(url)).rejects.toThrow(); // what the old probe saw: "fetch failed" (bad port)
    await waitHealthy({ url, timeoutMs: 5_000 }, createHttpProbe(), createFakeClock());
    const outcome = await probeHealth(createHttpProbe(), url);
    expect(outcome).toMatchObject({
      ok: true,
      status: 200,
      body: "ok /health",
      seen: "HTTP 200: ok /health",
    });
  });

  it("reports ECONNREFUSED, not 'fetch failed'", async () => {
    const url = `http://127.0.0.1:${await closedPort()}/`;
    const outcome = await probeHealth(createHttpProbe(), url);
    expect(outcome.ok).toBe(false);
    expect(outcome.status).toBeUndefined();
    expect(outcome.seen).toMatch(/^connect ECONNREFUSED 127\.0\.0\.1:\d+$/);
    const error = await waitHealthy(
      { url, timeoutMs: 300, intervalMs: 100 },
      createHttpProbe(),
      createFakeClock(),
    ).catch((e: unknown) => e);
    expect(isDeployKitError(error, "E_HEALTHCHECK")).toBe(true);
    expect((error as Error).message).toContain("ECONNREFUSED");
  });

  it("reports a timeout with its length, and a status with its body", async () => {
    server = createServer((request, response) => {
      if (request.url === "/slow") return; // never answers
      response.statusCode = 503;
      response.end("warming up");
    });
    await new Promise<void>((done) => server?.listen(0, "127.0.0.1", done));
    const { port } = server.address() as { port: number };
    const slow = await probeHealth(createHttpProbe(), `http://127.0.0.1:${port}/slow`, { timeoutMs: 200 });
    expect(slow.seen).toBe("no answer within 200 ms");
    const busy = await probeHealth(createHttpProbe(), `http://127.0.0.1:${port}/`);
    expect(busy).toMatchObject({ ok: false, status: 503, seen: "HTTP 503: warming up" });
    server.closeAllConnections();
  });

  it("stops waiting as soon as the app is reported stopped", async () => {
    const url = `http://127.0.0.1:${await closedPort()}/`;
    const error = await waitHealthy(
      { url, timeoutMs: 60_000 },
      createHttpProbe(),
      createFakeClock(),
      undefined,
      undefined,
      async () => "web exited with code 3",
    ).catch((e: unknown) => e);
    expect((error as Error).message).toContain("never answered: web exited with code 3");
  });
});
