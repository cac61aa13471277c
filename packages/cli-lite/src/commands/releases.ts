import { listInstalled, listPublished } from "@deploykit/core";
import { sshArgs, storeArgs } from "../args";
import type { CommandSpec } from "../command";
import { fleetArgs, isFleet } from "../fleet-settings";
import { rootFromSettings, withHostFromSettings } from "../host-options";
import { openStore } from "../store";
import { UsageError } from "../usage";
import { fleetReleasesCommand } from "./fleet";

const args = {
  root: {
    type: "string",
    valueHint: "dir",
    description: "List what is installed under this host root (config: root)",
  },
  ...sshArgs,
  app: { type: "string", description: "With --store: list this app's published versions (config: app)" },
  ...storeArgs,
  ...fleetArgs,
} as const;

/** `deploykit releases` → `listInstalled()` and/or `listPublished()`. */
export const releasesCommand: CommandSpec<typeof args> = {
  name: "releases",
  description: "List the releases installed on a host (--root) and/or published in a store (--store --app)",
  args,
  async run(ctx) {
    if (isFleet(ctx.settings)) return fleetReleasesCommand(ctx);
    const { settings, io, onEvent } = ctx;
    const hasRoot = settings.string("root") !== undefined;
    const hasStore = settings.string("store") !== undefined;
    if (!hasRoot && !hasStore) {
      throw new UsageError(
        "`deploykit releases` needs --root, or --store with --app (or root/store in the config).",
      );
    }
    const root = hasRoot ? await rootFromSettings(settings, io.cwd, { mustExist: true }) : undefined;
    const app = hasStore ? settings.requiredApp() : undefined;
    const store = hasStore ? await openStore(settings, io.cwd, onEvent, { mustExist: true }) : undefined;
    const installed = root
      ? await withHostFromSettings(settings, io.cwd, (host) => listInstalled(root, host))
      : undefined;
    const published = app && store ? { app, ...(await listPublished(store, app)) } : undefined;
    const lines: string[] = [];
    if (installed) {
      lines.push(`Installed${installed.app ? ` (${installed.app})` : ""}:`);
      if (installed.releases.length === 0) lines.push("  (none)");
      for (const r of installed.releases) {
        const mark = r.live ? "* " : r.previous ? "- " : "  ";
        const tag = r.live ? " (live)" : r.previous ? " (previous)" : "";
        lines.push(`${mark}${r.version}${tag}  installed ${r.installedAt}`);
      }
    }
    if (published) {
      lines.push(`Published (${published.app}):`);
      if (published.versions.length === 0) lines.push("  (none)");
      const byVersion = new Map<string, string[]>();
      for (const [channel, version] of Object.entries(published.channels)) {
        byVersion.set(version, [...(byVersion.get(version) ?? []), channel]);
      }
      for (const version of [...published.versions].reverse()) {
        const channels = byVersion.get(version);
        lines.push(`  ${version}${channels ? `  ← ${channels.join(", ")}` : ""}`);
      }
    }
    return {
      value: { ...(installed ? { installed } : {}), ...(published ? { published } : {}) },
      lines,
    };
  },
};
