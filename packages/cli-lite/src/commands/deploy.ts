import { deploy, planInstall } from "@deploykit/core";
import type { CommandSpec } from "../command";
import { fleetArgs, isFleet, rolloutArgs } from "../fleet-settings";
import { installFromSettings, rootFromSettings, withHostFromSettings } from "../host-options";
import { deployOutcome } from "../outcome";
import { planOutcome } from "../plan-outcome";
import { openStore } from "../store";
import { envFromSettings, healthcheckFromSettings, strategyArgs, strategyFromSettings } from "../strategies";
import { trustFromSettings } from "../trust";
import { UsageError } from "../usage";
import { fleetDeploy } from "./fleet";
import { installArgs } from "./install";

const args = {
  ...installArgs,
  ...strategyArgs,
  "restart-unchanged": {
    type: "boolean",
    description:
      "Restart even when the release is already live (default: an unchanged deploy restarts nothing)",
  },
  ...fleetArgs,
  ...rolloutArgs,
} as const;

/** `deploykit deploy` → `deploy()`. */
export const deployCommand: CommandSpec<typeof args> = {
  name: "deploy",
  description: "Install a release, restart the app, health-check it, and roll back automatically on failure",
  args,
  async run(ctx) {
    if (isFleet(ctx.settings)) return fleetDeploy(ctx);
    const { settings, io, onEvent, signal } = ctx;
    const root = await rootFromSettings(settings, io.cwd);
    const app = settings.requiredApp();
    const strategy = strategyFromSettings(settings);
    if (!strategy) {
      throw new UsageError(
        "`deploykit deploy` needs --strategy (or strategy in the config file).",
        "Run `deploykit deploy --help`; use `deploykit install` to install without restarting.",
      );
    }
    const selection = installFromSettings(settings);
    const trust = await trustFromSettings(settings, io.cwd);
    const healthcheck = healthcheckFromSettings(settings);
    const env = envFromSettings(settings);
    const store = await openStore(settings, io.cwd, onEvent, { mustExist: true });
    const restartUnchanged = settings.boolean("restartUnchanged") === true;
    if (settings.boolean("dryRun")) {
      if (settings.string("host") !== undefined) {
        throw new UsageError("--dry-run reads the host's state locally; it does not work with --host yet.");
      }
      return planOutcome(await planInstall({ store, app, root, ...selection, strategy, restartUnchanged }));
    }
    const result = await withHostFromSettings(settings, io.cwd, (host) =>
      deploy({
        store,
        app,
        root,
        ...host,
        ...selection,
        ...trust,
        strategy,
        ...(healthcheck !== undefined ? { healthcheck } : {}),
        ...(env ? { env } : {}),
        restartUnchanged,
        onEvent,
        signal,
      }),
    );
    return deployOutcome("Deployed", app, result);
  },
};
