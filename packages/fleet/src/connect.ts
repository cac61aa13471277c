import { type HostConnection, localHost, sshHost } from "@deploykit/core";
import type { FleetHost } from "./inventory/model";
import type { Limiter } from "./limiter";

/**
 * The host's connection from its inventory settings: `localHost()` for `local: true`, else
 * `sshHost()` (address: `host`, else the inventory name; ssh's `ConnectTimeout` from
 * `connectTimeoutS`, default 10 s: an unreachable host fails with `E_HOST_UNREACHABLE` within it).
 * @throws `E_INVALID_INPUT` (a malformed host, user or port), before anything runs.
 */
export function connectHost(host: FleetHost): HostConnection {
  const { local, host: address, ...ssh } = host.connection;
  if (local) return localHost();
  return sshHost({ host: address ?? host.name, ...ssh });
}

/** `connection` whose `upload()` waits for a slot of `uploads` (the rollout's upload parallelism). */
export function limitUploads(connection: HostConnection, uploads: Limiter): HostConnection {
  return new Proxy(connection, {
    get(target, key) {
      if (key === "upload") {
        return (...args: Parameters<HostConnection["upload"]>) => uploads.run(() => target.upload(...args));
      }
      const value = Reflect.get(target, key, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/** How a fleet operation reaches a host: default {@link connectHost}; tests pass simulated hosts. */
export type ConnectHost = (host: FleetHost) => HostConnection;

/** Runs `work` with the host's connection (upload-limited) and closes it after, whatever happens. */
export async function withConnection<T>(
  host: FleetHost,
  uploads: Limiter,
  work: (connection: HostConnection) => Promise<T>,
  connect: ConnectHost = connectHost,
): Promise<T> {
  const connection = connect(host);
  try {
    return await work(limitUploads(connection, uploads));
  } finally {
    await connection.close();
  }
}
