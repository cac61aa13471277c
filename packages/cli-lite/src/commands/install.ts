import { install, planInstall } from "@deploykit/core";
import { hostArgs, sshArgs, storeArgs } from "../args";
import type { CommandSpec } from "../command";
import { installFromSettings, rootFromSettings, withHostFromSettings } from "../host-options";
import { dryRunArg, planOutcome } from "../plan-outcome";
import { openStore } from "../store";
import { trustArgs, trustFromSettings } from "../trust";
import { UsageError } from "../usage";

/** Flags shared by install and deploy. */
export const installArgs = {
  ...hostArgs,
  ...sshArgs,
  version: { type: "string", description: "The version to install" },
  channel: { type: "string", description: "…or the version a channel points at (config: channel)" },
  keep: {
    type: "string",
    description:
      "Releases kept on disk in total, the live one first, then where rollbacks go; the release live before an install is kept too (config: keep; default 5)",
  },
  "shared-dirs": {
    type: "string",
    valueHint: "dir,…",
    description: "Dirs under shared/ linked into each release (config: sharedDirs; default log,tmp/pids)",
  },
  ...trustArgs,
  "adopt-legacy": {
    type: "boolean",
    description:
      "Move a current that is a real directory (an older deploy tool's) to releases/legacy-<timestamp>",
  },
  transfer: {
    type: "string",
    valueHint: "stream|presigned-url",
    description:
      "With --host: stream the artifact through this machine (default), or let the server download it from a presigned S3 URL with curl/wget (config: transfer)",
  },
  ...storeArgs,
  ...dryRunArg,
} as const;

/** `deploykit install` → `install()`. */
export const installCommand: CommandSpec<typeof installArgs> = {
  name: "install",
  description: "Download, verify and unpack a release, and switch current to it (no restart)",
  args: installArgs,
  async run({ settings, io, onEvent, signal }) {
    const root = await rootFromSettings(settings, io.cwd);
    const app = settings.requiredApp();
    const selection = installFromSettings(settings);
    const trust = await trustFromSettings(settings, io.cwd);
    const store = await openStore(settings, io.cwd, onEvent, { mustExist: true });
    if (settings.boolean("dryRun")) {
      if (settings.string("host") !== undefined) {
        throw new UsageError("--dry-run reads the host's state locally; it does not work with --host yet.");
      }
      return planOutcome(await planInstall({ store, app, root, ...selection }));
    }
    const result = await withHostFromSettings(settings, io.cwd, (host) =>
      install({ store, app, root, ...host, ...selection, ...trust, onEvent, signal }),
    );
    const { version, dir } = result.release;
    return {
      value: result,
      lines: [
        result.unchanged
          ? `${app} ${version} is already live in ${root} (unchanged).`
          : `Installed ${app} ${version} in ${dir}; current → ${version}${result.previous ? ` (previous: ${result.previous.version})` : ""}.`,
      ],
    };
  },
};
