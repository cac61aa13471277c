import { once } from "node:events";
import { readdir, readFile, readlink } from "node:fs/promises";
import { connect, type Socket } from "node:net";

/** One health GET and the process that accepted its connection. */
export interface AnsweredBy {
  /** The HTTP status; undefined when no answer came. */
  status?: number;
  body: string;
  /** The candidate that accepted the connection; undefined when another process did. */
  pid?: number;
  /** For reports: `HTTP 500 from pid 123: …` or the error. */
  seen: string;
}

const hexPort = (port: number) => port.toString(16).toUpperCase().padStart(4, "0");

/** Inode of the accepted (server-side) socket of the connection from `clientPort` to `port`; "0" before accept. */
async function acceptedInode(port: number, clientPort: number): Promise<string | undefined> {
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    const lines = (await readFile(table, "utf8").catch(() => "")).split("\n").slice(1);
    for (const line of lines) {
      const [, local, remote, , , , , , , inode] = line.trim().split(/\s+/);
      if (local?.endsWith(`:${hexPort(port)}`) && remote?.endsWith(`:${hexPort(clientPort)}`)) return inode;
    }
  }
  return undefined;
}

/** Which of `candidates` has `socket:[inode]` open. */
async function holder(inode: string, candidates: number[]): Promise<number | undefined> {
  for (const pid of candidates) {
    const fds = await readdir(`/proc/${pid}/fd`).catch(() => [] as string[]);
    for (const fd of fds) {
      if ((await readlink(`/proc/${pid}/fd/${fd}`).catch(() => "")) === `socket:[${inode}]`) return pid;
    }
  }
  return undefined;
}

/**
 * GETs a plain-HTTP loopback `url` (HTTP/1.0, one fresh connection) and finds out which process
 * answered, without help from the app: the request head is held back until the server-side
 * socket of the connection (its `/proc/net/tcp` line) has been accepted, and one of
 * `candidates` is found holding it (`/proc/<pid>/fd`) or 50 ms have passed; then it is completed. Where the forking servers share one listening socket
 * (unicorn's masters during a USR2 upgrade), this tells an old worker's answer from a new one's.
 * `pid` is undefined when another process took the connection, or none did within `timeoutMs` (ms).
 */
export async function answeredBy(url: string, candidates: number[], timeoutMs = 2_000): Promise<AnsweredBy> {
  const target = new URL(url);
  const port = Number(target.port || 80);
  const deadline = Date.now() + timeoutMs;
  let socket: Socket | undefined;
  try {
    socket = connect({ host: target.hostname.replace(/^\[|\]$/g, ""), port });
    await once(socket, "connect");
    socket.write(`GET ${target.pathname}${target.search} HTTP/1.0\r\nHost: ${target.host}\r\n`);
    let pid: number | undefined;
    let acceptedAt: number | undefined;
    // Accepted (an inode) but by none of the candidates for 50 ms: another process took it. It
    // waits for the rest of the request head meanwhile, so the wait is kept short.
    while (pid === undefined && Date.now() < deadline && Date.now() - (acceptedAt ?? Date.now()) < 50) {
      const inode = await acceptedInode(port, socket.localPort ?? 0);
      if (inode && inode !== "0") {
        acceptedAt ??= Date.now();
        pid = await holder(inode, candidates);
      }
      if (pid === undefined) await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const chunks: Buffer[] = [];
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    const ended = once(socket, "close");
    socket.end("\r\n");
    const timer = setTimeout(
      () => socket?.destroy(new Error(`no answer within ${timeoutMs} ms`)),
      Math.max(deadline - Date.now(), 100),
    );
    await ended.finally(() => clearTimeout(timer));
    const text = Buffer.concat(chunks).toString("utf8");
    const status = Number(/^HTTP\/\d\.\d (\d{3})/.exec(text)?.[1]);
    const body = text.slice(text.indexOf("\r\n\r\n") + 4);
    if (!status)
      return { body: "", ...(pid ? { pid } : {}), seen: `no HTTP answer${pid ? ` from pid ${pid}` : ""}` };
    const shown = body.trim().slice(0, 200);
    return {
      status,
      body,
      ...(pid ? { pid } : {}),
      seen: `HTTP ${status}${pid ? ` from pid ${pid}` : ""}${shown ? `: ${shown}` : ""}`,
    };
  } catch (error) {
    socket?.destroy();
    return { body: "", seen: (error as Error).message };
  }
}
