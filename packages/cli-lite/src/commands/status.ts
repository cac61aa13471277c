import { status } from "@deploykit/core";
import { hostArgs, sshArgs } from "../args";
import type { CommandSpec } from "../command";
import { fleetArgs, isFleet } from "../fleet-settings";
import { rootFromSettings, withHostFromSettings } from "../host-options";
import { envFromSettings, strategyArgs, strategyFromSettings } from "../strategies";
import { fleetStatusCommand } from "./fleet";

const { healthcheck: _gate, ...statusStrategyArgs } = strategyArgs;
const args = {
  root: hostArgs.root,
  ...sshArgs,
  history: { type: "string", description: "How many of the latest deploys to show (default 5)" },
  ...statusStrategyArgs,
  ...fleetArgs,
} as const;

/** `deploykit status` → `status()`. */
export const statusCommand: CommandSpec<typeof args> = {
  name: "status",
  description:
    "Show the live and previous releases, the lock holder, whether the app runs (and from which release), and the last deploys",
  args,
  async run(ctx) {
    if (isFleet(ctx.settings)) return fleetStatusCommand(ctx);
    const { settings, io } = ctx;
    const root = await rootFromSettings(settings, io.cwd, { mustExist: true });
    const history = settings.integer("history");
    const strategy = strategyFromSettings(settings);
    const env = envFromSettings(settings);
    const result = await withHostFromSettings(settings, io.cwd, (host) =>
      status({
        root,
        ...host,
        ...(strategy ? { strategy } : {}),
        ...(history !== undefined ? { history } : {}),
        ...(env ? { env } : {}),
      }),
    );
    const { live, previous, lock, processes } = result;
    const holder = lock.owner ? `pid ${lock.owner.pid} on ${lock.owner.host}` : "unknown holder";
    const lines = [
      `${result.app ?? "(no app)"} under ${result.root}`,
      `  live:      ${live ? `${live.version} (installed ${live.installedAt})` : "none"}`,
      `  previous:  ${previous ? previous.version : "none"}`,
      `  lock:      ${lock.held ? `held by ${holder}${lock.stale ? ` — stale: ${lock.reason}` : ""}` : "free"}`,
      `  processes: ${
        processes
          ? `${processes.running ? "up" : "DOWN"} (${processes.strategy}${processes.pids?.length ? `, pid ${processes.pids.join(", ")}` : ""}${processes.error ? `: ${processes.error}` : ""})${processes.runningFrom ? ` running ${processes.runningFrom.join(", ")}` : ""}`
          : "unknown (pass --strategy, or set strategy in the config)"
      }`,
      ...(processes?.mismatch ? [`  MISMATCH:  ${processes.mismatch}`] : []),
      ...(result.missing ? [`  MISSING:   ${result.missing}`] : []),
      "  last deploys:",
      ...(result.history.length
        ? result.history.map(
            (h) => `    ${h.at}  ${h.action} ${h.version}${h.from ? ` (from ${h.from})` : ""}`,
          )
        : ["    none"]),
    ];
    return { value: result, lines };
  },
};
