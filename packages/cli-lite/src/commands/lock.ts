import { inspectLock, releaseLock } from "@deploykit/core";
import { hostArgs, sshArgs } from "../args";
import type { CommandSpec } from "../command";
import { rootFromSettings, withHostFromSettings } from "../host-options";

const args = {
  root: hostArgs.root,
  ...sshArgs,
  release: {
    type: "boolean",
    description: "Remove the lock if its holder is gone (a dead or reused pid, a reboot since)",
  },
  force: { type: "boolean", description: "With --release: remove it even if its holder may still run" },
} as const;

/** `deploykit lock` → `inspectLock()`, or `releaseLock()` with `--release`; `--host` for a server's root. */
export const lockCommand: CommandSpec<typeof args> = {
  name: "lock",
  description: "Show who holds the deploy lock of a root; --release removes an abandoned one",
  args,
  async run({ settings, io }) {
    const root = await rootFromSettings(settings, io.cwd, { mustExist: true });
    if (settings.boolean("release")) {
      const force = settings.boolean("force") === true;
      const result = await withHostFromSettings(settings, io.cwd, (host) =>
        releaseLock({ root, force, ...host }),
      );
      const who = result.owner ? ` (pid ${result.owner.pid} on ${result.owner.host})` : "";
      return {
        value: result,
        lines: [result.released ? `Released the lock of ${root}${who}.` : `${root} is not locked.`],
      };
    }
    const status = await withHostFromSettings(settings, io.cwd, (host) => inspectLock({ root, ...host }));
    const owner = status.owner;
    const holder = owner
      ? `pid ${owner.pid} on ${owner.host}${owner.operation ? ` (${owner.operation})` : ""} since ${owner.since}`
      : "a file without a record";
    const lines = !status.held
      ? [`${root} is not locked.`]
      : status.stale
        ? [`Locked by ${holder}, which is gone: ${status.reason}.`, "`deploykit lock --release` removes it."]
        : [`Locked by ${holder}, which may still run.`];
    return { value: status, lines };
  },
};
