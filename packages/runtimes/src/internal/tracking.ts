import {
  DeployKitError,
  describePortOwner,
  type HostConnection,
  portOwner,
  processesStartedUnder,
  remotePortOwner,
  type StrategyContext,
} from "@deploykit/core";
import { signalTarget } from "./pid";
import { terminate } from "./terminate";

/** The port a strategy's app listens on: `port`, else the port of a loopback readiness URL. */
export function listenPort(port: number | undefined, readyUrl: string | undefined): number | undefined {
  if (port !== undefined) return port;
  if (readyUrl === undefined) return undefined;
  const url = new URL(readyUrl);
  const loopback = ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname);
  return loopback ? Number(url.port || (url.protocol === "https:" ? 443 : 80)) : undefined;
}

/**
 * Refuses to start when another process already listens on `port` on the host (found through
 * its `/proc/net/tcp` and `/proc/<pid>/fd`): anything but `ours` (the pid the strategy tracks)
 * or its process group.
 * @throws `E_PORT_IN_USE` with the owner's pid, working directory and release.
 */
export async function assertPortFree(
  host: HostConnection,
  strategy: string,
  port: number | undefined,
  ours: number | undefined,
): Promise<void> {
  if (port === undefined) return;
  const owner = host.kind === "local" ? await portOwner(port) : await remotePortOwner(host, port);
  if (!owner || (ours !== undefined && (owner.pid === ours || owner.pgid === ours))) return;
  throw new DeployKitError(
    "E_PORT_IN_USE",
    `${strategy}: port ${port} is already served by ${describePortOwner(owner)}, which deploykit did not start here; nothing was started or stopped.`,
    {
      hint: owner.release
        ? `Another app root (${owner.release.root}) or an untracked copy of this app uses port ${port}: give each app its own port, or stop pid ${owner.pid}.`
        : `Give this app another port, or stop pid ${owner.pid}.`,
      details: { port, owner },
    },
  );
}

/**
 * After a start command exited 0 before it was ready (it daemonised itself): stops what it left
 * running on its own account, so no untracked server stays behind: its process group, and every
 * process started since `sinceTicks` (see `bootTicks`) that runs from `releaseDir`. Returns their pids.
 */
export async function stopLeftovers(
  ctx: StrategyContext,
  pid: number,
  releaseDir: string,
  sinceTicks: number | undefined,
): Promise<number[]> {
  const left = sinceTicks === undefined ? [] : await processesStartedUnder(releaseDir, sinceTicks);
  const targets = [...((await ctx.processes.isAlive(-pid)) ? [pid] : []), ...left.filter((p) => p !== pid)];
  const stop = { ...ctx, signal: undefined };
  await Promise.all(
    targets.map(async (target) =>
      terminate(stop, await signalTarget(ctx.processes, target), { timeoutMs: 5_000 }),
    ),
  );
  return targets;
}

/** `E_DAEMONIZED`: the start command exited 0 before the app was ready. */
export function daemonized(strategy: string, what: string, details: Record<string, unknown>): DeployKitError {
  return new DeployKitError(
    "E_DAEMONIZED",
    `${strategy}: ${what} exited with code 0 before it was ready: it put itself in the background (daemonised), where deploykit cannot track or stop it.`,
    {
      hint: "Run the command in the foreground (no -D / --daemon / daemonize option), or use a pid-file strategy (unicorn(), signal({ pidFile })).",
      details: { strategy, ...details },
    },
  );
}
