import { rollback } from "@deploykit/core";
import { hostArgs, sshArgs } from "../args";
import type { CommandSpec } from "../command";
import { lockFromSettings, rootFromSettings, withHostFromSettings } from "../host-options";
import { deployOutcome } from "../outcome";
import { envFromSettings, healthcheckFromSettings, strategyArgs, strategyFromSettings } from "../strategies";

const args = {
  root: hostArgs.root,
  ...sshArgs,
  "lock-timeout-ms": hostArgs["lock-timeout-ms"],
  version: { type: "string", description: "Roll back to this installed version (default: the previous one)" },
  ...strategyArgs,
} as const;

/** `deploykit rollback` → `rollback()`. */
export const rollbackCommand: CommandSpec<typeof args> = {
  name: "rollback",
  description:
    "Switch back to the previous (or a named) installed release, without the network; restart with --strategy",
  args,
  async run({ settings, io, onEvent, signal }) {
    const root = rootFromSettings(settings, io.cwd);
    const strategy = strategyFromSettings(settings);
    const healthcheck = strategy ? healthcheckFromSettings(settings) : undefined;
    const env = envFromSettings(settings);
    const version = settings.flag("version");
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
    return deployOutcome("Rolled back to", result.release.manifest.app, result);
  },
};
