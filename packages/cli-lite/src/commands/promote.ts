import { promote } from "@deploykit/core";
import { storeArgs } from "../args";
import type { CommandSpec } from "../command";
import { openStore } from "../store";
import { signKeyArgs, signKeyFromSettings } from "../trust";
import { UsageError } from "../usage";

const args = {
  version: { type: "positional", description: "An already published version", required: true },
  channel: { type: "string", description: "The channel to move, e.g. production (config: channel)" },
  app: { type: "string", description: "App name (config: app)" },
  ...storeArgs,
  ...signKeyArgs,
} as const;

/** `deploykit promote <version> --channel c` → `promote()`. */
export const promoteCommand: CommandSpec<typeof args> = {
  name: "promote",
  description: "Move a channel to an already published version (nothing is uploaded)",
  args,
  async run({ settings, io, onEvent, signal }) {
    const app = settings.requiredApp();
    const version = settings.version("version");
    if (version === undefined) throw new UsageError("`deploykit promote` needs a VERSION.");
    const channel = settings.requiredString("channel");
    const signKey = await signKeyFromSettings(settings, io.cwd);
    const store = await openStore(settings, io.cwd, onEvent, { mustExist: true });
    const result = await promote({
      store,
      app,
      channel,
      version,
      ...(signKey ? { signKey } : {}),
      onEvent,
      signal,
    });
    const signed = result.signedBy ? `, signed with key ${result.signedBy}` : "";
    const was = result.from === version ? " (rewritten)" : result.from ? ` (was ${result.from})` : "";
    return {
      value: result,
      lines: [
        result.unchanged
          ? `Channel ${channel} of ${app} already points at ${version}${signed} (unchanged).`
          : `Channel ${channel} of ${app} → ${version}${was}${signed}.`,
      ],
    };
  },
};
