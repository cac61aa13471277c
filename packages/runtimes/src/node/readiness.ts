/**
 * Worker-side readiness for node()'s cluster launcher: a new worker joins the shared listening
 * socket only once it passes the health check itself, so the launcher (which retires the old
 * workers when the new ones are `listening`) never retires them for a worker that answers errors.
 *
 * Like the launcher, this runs inside the written-out launcher program: it is serialised with
 * `Function.prototype.toString` (see `launcherSource`), so it uses nothing outside its body and
 * gets modules through `load`. Settings from the environment:
 *
 * - `DK_NODE_HEALTH`: the health URL (`http(s)://host:port/path`). Each HTTP(S) server the app
 *   tells to listen on that port (or, when no server listens there, the first) is probed at that
 *   path; it must answer 2xx. Empty: the server is probed at `/` and any answer below 500 passes.
 *
 * How: `listen(port)` on an `http.Server` / `https.Server` is held. The server gets a private door
 * instead (an `exclusive` listener on a free loopback port, outside the primary's round robin,
 * whose connections are handed to the server as its own), and the worker GETs the health path
 * through that door every 100 ms. The first passing answer closes the door and makes the held
 * `listen` calls for real, which puts the worker into the shared socket's rotation and fires
 * `listening` (and the app's own listen callback, where apps send "ready"). Each answer that does
 * not pass is sent to the primary as `{ deploykit: "probe", seen }` for its error message; the
 * primary's ready timeout still ends a worker that never passes. Listens on a path, a handle, an
 * fd, port 0 or with `exclusive`, and servers that are not HTTP(S), are not held.
 */
export function holdUntilHealthy(load: NodeJS.Require): void {
  type Server = import("node:net").Server;
  type Held = { server: Server; args: unknown[]; port: number; door: Server };
  const net = load("node:net") as typeof import("node:net");
  const http = load("node:http") as typeof import("node:http");
  const https = load("node:https") as typeof import("node:https");
  const health = process.env.DK_NODE_HEALTH ? new URL(process.env.DK_NODE_HEALTH) : undefined;
  const secure = health?.protocol === "https:";
  const healthPort = health ? Number(health.port || (secure ? 443 : 80)) : undefined;
  const listen = net.Server.prototype.listen;
  const held: Held[] = [];
  let joined = false;
  let probing = false;
  let lastSeen = "";

  /** The TCP port a listen call asks for, when it is one the primary would share. */
  const sharedPort = (server: Server, args: unknown[]): number | undefined => {
    if (!(server instanceof http.Server || server instanceof https.Server)) return undefined;
    const first = args[0];
    const options =
      typeof first === "object" && first !== null
        ? (first as { port?: unknown; path?: unknown; handle?: unknown; fd?: unknown; exclusive?: unknown })
        : undefined;
    const own =
      options &&
      (options.exclusive === true || [options.path, options.handle, options.fd].some((v) => v !== undefined));
    if (own) return undefined;
    const raw = options ? options.port : first;
    const port =
      typeof raw === "number" ? raw : typeof raw === "string" && /^\d+$/.test(raw) ? Number(raw) : 0;
    return port > 0 ? port : undefined;
  };

  const join = () => {
    joined = true;
    for (const { server, args, door } of held) {
      door.close();
      listen.apply(server, args as never);
    }
  };

  const report = (seen: string) => {
    if (seen === lastSeen) return;
    lastSeen = seen;
    process.send?.({ deploykit: "probe", seen });
  };

  const probe = () => {
    if (probing || joined) return;
    probing = true;
    const target = held.find((h) => h.port === healthPort) ?? (held[0] as Held);
    const door = (target.door.address() as import("node:net").AddressInfo).port;
    const path = health ? `${health.pathname}${health.search}` : "/";
    const attempt = () => {
      const request = (secure ? https : http).get(
        {
          host: "127.0.0.1",
          port: door,
          path,
          headers: { host: health?.host ?? `127.0.0.1:${target.port}`, connection: "close" },
          agent: false,
          rejectUnauthorized: false,
          timeout: 2_000,
        },
        (response) => {
          response.resume();
          const status = response.statusCode ?? 0;
          if (health ? status >= 200 && status < 300 : status < 500) return join();
          report(`GET ${path} answered HTTP ${status}`);
          setTimeout(attempt, 100);
        },
      );
      request.on("timeout", () => request.destroy(new Error("no answer within 2000 ms")));
      request.on("error", (error) => {
        report(`GET ${path}: ${error.message}`);
        setTimeout(attempt, 100);
      });
    };
    attempt();
  };

  net.Server.prototype.listen = function (this: Server, ...args: unknown[]) {
    const port = joined ? undefined : sharedPort(this, args);
    if (port === undefined) return listen.apply(this, args as never);
    const door = net.createServer((socket) => this.emit("connection", socket));
    held.push({ server: this, args, port, door });
    listen.call(door, { port: 0, host: "127.0.0.1", exclusive: true }, probe);
    return this;
  } as typeof listen;
}

/**
 * {@link holdUntilHealthy} as a standalone CommonJS file to preload with `node --require` (how
 * `pm2()` puts it in front of the app in every instance and in the canary).
 */
export function readinessSource(): string {
  return `"use strict";\n// Written by @deploykit/runtimes: a new instance joins the port only once healthy.\n(${holdUntilHealthy.toString()})(require);\n`;
}
