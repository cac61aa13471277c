import { planRollback, rollback } from "@deploykit/core";
import { hostArgs, sshArgs } from "../args";
import type { CommandSpec } from "../command";
import { fleetArgs, isFleet, rolloutArgs } from "../fleet-settings";
import { lockFromSettings, rootFromSettings, withHostFromSettings } from "../host-options";
import { deployOutcome } from "../outcome";
import { dryRunArg, planOutcome } from "../plan-outcome";
import {
  envFromSettings,
  healthcheckFromSettings,
  refuseHealthcheckWithoutStrategy,
  strategyArgs,
  strategyFromSettings,
} from "../strategies";
import { UsageError } from "../usage";
import { fleetRollback } from "./fleet";

const args = {
  root: hostArgs.root,
  ...sshArgs,
  "lock-timeout-ms": hostArgs["lock-timeout-ms"],
  version: {
    type: "string",
    description:
      "Roll back to this installed version (default: one release back; run again to go further back)",
  },
  ...strategyArgs,
  ...dryRunArg,
  ...fleetArgs,
  ...rolloutArgs,
} as const;

/** `deploykit rollback` → `rollback()`. */
export const rollbackCommand: CommandSpec<typeof args> = {
  name: "rollback",
  description:
    "Walk back one installed release (or switch to a named one), without the network, and restart with the strategy (flags or config)",
  args,
  async run(ctx) {
    if (isFleet(ctx.settings)) return fleetRollback(ctx);
    const { settings, io, onEvent, signal } = ctx;
    const root = await rootFromSettings(settings, io.cwd, { mustExist: true });
    const strategy = strategyFromSettings(settings);
    const healthcheck = strategy
      ? healthcheckFromSettings(settings)
      : refuseHealthcheckWithoutStrategy(settings);
    const env = envFromSettings(settings);
    const version = settings.version();
    if (settings.boolean("dryRun")) {
      if (settings.string("host") !== undefined) {
        throw new UsageError("--dry-run reads the host's state locally; it does not work with --host yet.");
      }
      return planOutcome(
        await planRollback({
          root,
          ...(version !== undefined ? { version } : {}),
          ...(strategy ? { strategy } : {}),
        }),
      );
    }
    const result = await withHostFromSettings(settings, io.cwd, (host) =>
      rollback({
        root,
        ...host,
        ...lockFromSettings(settings),
        ...(version !== undefined ? { version } : {}),
        ...(strategy ? { strategy } : {}),
        ...(healthcheck !== undefined ? { healthcheck } : {}),
        ...(env ? { env } : {}),
        onEvent,
        signal,
      }),
    );
    const outcome = deployOutcome("Rolled back to", result.release.manifest.app, result);
    if (strategy || result.unchanged) return outcome;
    const message = `Nothing was restarted: the processes still run the release that was live before ${result.release.version}. Pass --strategy (or set strategy in the config), or run \`deploykit restart\`.`;
    onEvent({ type: "warning", step: "rollback", message });
    return {
      ...outcome,
      lines: [
        `Rolled back to ${result.release.manifest.app} ${result.release.version} (current switched); NOT restarted: no strategy.`,
      ],
    };
  },
};
