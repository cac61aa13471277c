// Test utility: a fault-injecting HTTP proxy between an S3 client and an S3 server.
// See fault-proxy.d.mts for the documented API.
import { createServer, request } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";

const SLICE = 64 * 1024;

/** Resolves on `event` or when `emitter` closes, removing both listeners either way. */
function once(emitter, event) {
  return new Promise((resolve) => {
    const done = () => {
      emitter.off(event, done);
      emitter.off("close", done);
      resolve();
    };
    emitter.on(event, done);
    emitter.on("close", done);
  });
}

/** A small seeded PRNG (mulberry32), so a run's faults can be replayed. */
function seeded(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const errorXml = (code, message) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`;

const CODES = { 403: "AccessDenied", 500: "InternalError", 503: "SlowDown" };

/** Waits until `socket`'s byte budget allows `size` more bytes at `rate` bytes per second. */
async function throttle(socket, size, rate) {
  if (!rate) return;
  const now = performance.now();
  const free = Math.max(now, socket.deploykitNextFree ?? now);
  socket.deploykitNextFree = free + (size / rate) * 1000;
  if (free > now) await sleep(free - now);
}

/** Writes `chunk` in slices, throttled, honouring backpressure. Returns false once `out` is gone. */
async function forward(out, chunk, socket, rate) {
  for (let at = 0; at < chunk.length; at += SLICE) {
    const slice = chunk.subarray(at, at + SLICE);
    await throttle(socket, slice.length, rate);
    if (out.destroyed) return false;
    if (!out.write(slice)) await once(out, "drain");
  }
  return !out.destroyed;
}

export async function startFaultProxy(options) {
  const target = new URL(options.target);
  const { target: _target, seed = 1, ...initial } = options;
  const faults = { failStatus: 503, ...initial };
  const random = seeded(seed);
  const stats = {
    requests: 0,
    matched: 0,
    failed: 0,
    resets: 0,
    truncated: 0,
    answered: 0,
    inFlight: 0,
    maxInFlight: 0,
    byMethod: {},
  };
  const sockets = new Set();

  const server = createServer(async (req, res) => {
    stats.requests += 1;
    stats.byMethod[req.method] = (stats.byMethod[req.method] ?? 0) + 1;
    stats.inFlight += 1;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    res.once("close", () => {
      stats.inFlight -= 1;
    });
    const info = { method: req.method, url: req.url, headers: req.headers };
    const matched = faults.match ? faults.match(info) : true;
    const n = matched ? ++stats.matched : 0;
    const socket = req.socket;
    const rate = faults.bytesPerSecond;
    if (faults.latencyMs) await sleep(faults.latencyMs);

    if (matched && faults.answer) {
      stats.answered += 1;
      req.resume();
      const status = faults.answer.status;
      const body =
        req.method === "HEAD" ? "" : errorXml(faults.answer.code ?? CODES[status] ?? "Error", "Injected");
      res.writeHead(status, { "content-type": "application/xml", "content-length": Buffer.byteLength(body) });
      return res.end(body);
    }
    const fail = matched && ((faults.failNth ?? []).includes(n) || random() < (faults.failFraction ?? 0));
    if (fail) {
      stats.failed += 1;
      req.resume();
      await once(req, "end");
      const status = faults.failStatus;
      const body =
        req.method === "HEAD" ? "" : errorXml(CODES[status] ?? "InternalError", "Injected failure");
      res.writeHead(status, { "content-type": "application/xml", "content-length": Buffer.byteLength(body) });
      return res.end(body);
    }

    const requestResettable = faults.requestResetMatch?.(info) ?? matched;
    const resetRequest = requestResettable && random() < (faults.requestResetFraction ?? 0);
    // The draw comes first, so a resetWhen predicate leaves the random sequence as it was.
    const resetResponse =
      (matched && random() < (faults.resetFraction ?? 0)) || Boolean(faults.resetWhen?.(info));
    const upstream = request({
      host: target.hostname,
      port: target.port,
      method: req.method,
      path: req.url,
      headers: req.headers,
    });
    upstream.on("error", () => socket.destroy());
    const abandon = () => {
      stats.resets += 1;
      upstream.destroy();
      socket.resetAndDestroy();
    };

    upstream.on("response", async (up) => {
      const length = Number(up.headers["content-length"] ?? 0);
      const headers = { ...up.headers };
      const hasBody = req.method !== "HEAD" && length > 0;
      let cutAt = Number.POSITIVE_INFINITY;
      let cutMode;
      if (hasBody && matched && faults.truncate) {
        cutAt = Math.floor(length / 2);
        cutMode = "truncate";
        headers["content-length"] = String(cutAt);
        stats.truncated += 1;
      } else if (hasBody && resetResponse) {
        cutAt = Math.floor(random() * length);
        cutMode = "reset";
      }
      res.writeHead(up.statusCode ?? 502, headers);
      let sent = 0;
      for await (const chunk of up) {
        const room = cutAt - sent;
        const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
        if (!(await forward(res, part, socket, rate))) return upstream.destroy();
        sent += part.length;
        if (sent >= cutAt) break;
      }
      if (cutMode === "reset") return abandon();
      if (cutMode === "truncate") upstream.destroy();
      res.end();
    });

    let received = 0;
    const requestLength = Number(req.headers["content-length"] ?? 0);
    const requestCut = resetRequest && requestLength > 0 ? Math.floor(random() * requestLength) : -1;
    try {
      for await (const chunk of req) {
        if (requestCut >= 0 && received + chunk.length > requestCut) return abandon();
        received += chunk.length;
        if (!(await forward(upstream, chunk, socket, rate))) return;
      }
      upstream.end();
    } catch {
      upstream.destroy();
    }
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    faults,
    stats,
    inject(next, { first = Number.POSITIVE_INFINITY } = {}) {
      for (const key of Object.keys(faults)) delete faults[key];
      let left = first;
      const match = next.match ?? (() => true);
      Object.assign(faults, { failStatus: 503, ...next, match: (info) => match(info) && left-- > 0 });
    },
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
