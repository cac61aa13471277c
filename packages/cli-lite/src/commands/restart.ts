import { restartLive } from "@deploykit/core";
import { hostArgs, sshArgs } from "../args";
import type { CommandSpec } from "../command";
import { lockFromSettings, rootFromSettings, withHostFromSettings } from "../host-options";
import { envFromSettings, strategyArgs, strategyFromSettings } from "../strategies";
import { UsageError } from "../usage";

const { healthcheck: _gate, "healthcheck-timeout": _wait, ...restartStrategyArgs } = strategyArgs;
const args = {
  root: hostArgs.root,
  "lock-timeout-ms": hostArgs["lock-timeout-ms"],
  ...sshArgs,
  ...restartStrategyArgs,
} as const;

/**
 * `deploykit restart` → `restartLive({ root, strategy, host? })`: the live release, under the
 * deploy lock; with `--host` on that server over SSH.
 */
export const restartCommand: CommandSpec<typeof args> = {
  name: "restart",
  description: "Restart the live release with a strategy (nothing is installed or switched)",
  args,
  async run({ settings, io, onEvent, signal }) {
    const root = await rootFromSettings(settings, io.cwd, { mustExist: true });
    const strategy = strategyFromSettings(settings);
    if (!strategy)
      throw new UsageError("`deploykit restart` needs --strategy (or strategy in the config file).");
    const env = envFromSettings(settings);
    const result = await withHostFromSettings(settings, io.cwd, (host) =>
      restartLive({
        root,
        ...host,
        strategy,
        ...(env ? { env } : {}),
        ...lockFromSettings(settings),
        onEvent,
        signal,
      }),
    );
    const pids = result.pids?.length ? ` (pid ${result.pids.join(", ")})` : "";
    return {
      value: result,
      lines: [`Restarted ${result.app} ${result.version} with ${result.strategy}${pids}.`],
    };
  },
};
