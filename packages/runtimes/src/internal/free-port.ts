import { randomInt } from "node:crypto";
import { createServer } from "node:net";
import { type HostConnection, remotePortOwner } from "@deploykit/core";

/** A loopback TCP port nothing listens on right now (bound to port 0, then released). */
async function freeLoopbackPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  return typeof address === "object" && address !== null ? address.port : 0;
}

/**
 * A TCP port nothing listens on right now on the host: locally bound to port 0 and released; on
 * a remote host a random port of 40000–59999 that its `/proc/net/tcp` shows no listener on.
 */
export async function freePortOn(host: HostConnection): Promise<number> {
  if (host.kind === "local") return freeLoopbackPort();
  for (;;) {
    const port = randomInt(40_000, 60_000);
    if ((await remotePortOwner(host, port)) === undefined) return port;
  }
}
