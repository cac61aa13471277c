import { isDeployKitError, runProcess } from "@deploykit/core";
import { hostArgs } from "../args";
import type { CommandSpec } from "../command";
import { rootFromSettings } from "../host-options";
import { envFromSettings } from "../strategies";
import { assertKnownArgs, UsageError } from "../usage";

const args = {
  root: hostArgs.root,
  port: { type: "string", valueHint: "port", description: "Exported as PORT" },
} as const;

/**
 * `deploykit run <process|command...>` → `runProcess({ root, command })`: a process type of the
 * live release (its Procfile line) or a one-off command, with the environment every process
 * gets (HOME, `.profile.d`, PORT, the config's env), like pkgr's `<app> run`. The command's
 * output goes to stdout / stderr as it comes; its exit code is the CLI's.
 */
export const runCommand: CommandSpec<typeof args> = {
  name: "run",
  description:
    "Run a process type or a one-off command in the live release (flags first, then -- command...)",
  args,
  ownParser: true,
  async run({ args: parsed, rawArgs, settings, io, onEvent, signal }) {
    assertKnownArgs(
      "run",
      rawArgs,
      { ...args, json: {}, verbose: {}, debug: {}, config: { type: "string" } },
      [],
    );
    const command = parsed._.map(String);
    if (command.length === 0) {
      throw new UsageError(
        "`deploykit run` needs a process type or a command.",
        "e.g. deploykit run web --root /srv/web, or deploykit run --root /srv/web -- rake db:migrate",
      );
    }
    const port = settings.flag("port");
    if (port !== undefined && !/^\d+$/.test(port))
      throw new UsageError(`--port must be a whole number, not "${port}".`);
    const json = parsed.json === true;
    const env = envFromSettings(settings);
    const root = await rootFromSettings(settings, io.cwd, { mustExist: true });
    try {
      const ran = await runProcess({
        root,
        command,
        ...(env ? { env } : {}),
        ...(port === undefined ? {} : { port: Number(port) }),
        onLine: (stream, line) =>
          json
            ? onEvent({ type: "log", step: "run", stream, line })
            : (stream === "stdout" ? io.stdout : io.stderr).write(`${line}\n`),
        ...(signal ? { signal } : {}),
      });
      const { stdout: _out, stderr: _err, release, ...value } = ran;
      return { value: { ...value, version: release.version }, lines: [] };
    } catch (error) {
      const exitCode = isDeployKitError(error, "E_COMMAND_FAILED") ? error.details?.exitCode : undefined;
      if (typeof exitCode !== "number" || exitCode <= 0) throw error;
      // The command's own output said why, except for a word that is neither a process type
      // nor a command (sh's "not found"): then name the release's process types.
      const named = isDeployKitError(error) && Array.isArray(error.details.processTypes) ? error : undefined;
      if (named && !json) io.stderr.write(`${named.message}\n${named.hint}\n`);
      return { value: { command, exitCode, ...(named ? { hint: named.hint } : {}) }, lines: [], exitCode };
    }
  },
};
