import { deploy } from "@deploykit/core";
import type { CommandSpec } from "../command";
import { installFromSettings, rootFromSettings, withHostFromSettings } from "../host-options";
import { deployOutcome } from "../outcome";
import { openStore } from "../store";
import { envFromSettings, healthcheckFromSettings, strategyArgs, strategyFromSettings } from "../strategies";
import { trustFromSettings } from "../trust";
import { UsageError } from "../usage";
import { installArgs } from "./install";

const args = { ...installArgs, ...strategyArgs } as const;

/** `deploykit deploy` → `deploy()`. */
export const deployCommand: CommandSpec<typeof args> = {
  name: "deploy",
  description: "Install a release, restart the app, health-check it, and roll back automatically on failure",
  args,
  async run({ settings, io, onEvent, signal }) {
    const root = rootFromSettings(settings, io.cwd);
    const app = settings.requiredString("app");
    const strategy = strategyFromSettings(settings);
    if (!strategy) {
      throw new UsageError(
        "`deploykit deploy` needs --strategy (or strategy in the config file).",
        "Run `deploykit deploy --help`; use `deploykit install` to install without restarting.",
      );
    }
    const trust = await trustFromSettings(settings, io.cwd);
    const store = await openStore(settings, io.cwd, onEvent);
    const healthcheck = healthcheckFromSettings(settings);
    const env = envFromSettings(settings);
    const result = await withHostFromSettings(settings, io.cwd, (host) =>
      deploy({
        store,
        app,
        root,
        ...host,
        ...installFromSettings(settings),
        ...trust,
        strategy,
        ...(healthcheck !== undefined ? { healthcheck } : {}),
        ...(env ? { env } : {}),
        onEvent,
        signal,
      }),
    );
    return deployOutcome("Deployed", app, result);
  },
};
