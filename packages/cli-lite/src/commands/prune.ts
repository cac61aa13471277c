import { prune } from "@deploykit/core";
import { storeArgs } from "../args";
import type { CommandSpec } from "../command";
import { rootFromSettings } from "../host-options";
import { openStore } from "../store";
import { UsageError } from "../usage";

const args = {
  root: { type: "string", valueHint: "dir", description: "Prune this host root (config: root)" },
  keep: {
    type: "string",
    description:
      "Releases kept on the host in total: the live one, then where rollbacks go, then the newest; only one a live process uses is kept beyond it (named); a failed, rolled-back one does not count and goes first (config: keep; default 5)",
  },
  app: {
    type: "string",
    description: "With --store: the app whose published versions are pruned (config: app)",
  },
  "keep-versions": {
    type: "string",
    description:
      "Prune the store (--store, or store in the config): published versions kept, newest first; channel targets are never removed (default 10)",
  },
  "dry-run": { type: "boolean", description: "Print what would be removed; remove nothing" },
  ...storeArgs,
} as const;

/** `deploykit prune` → `prune()`. */
export const pruneCommand: CommandSpec<typeof args> = {
  name: "prune",
  description:
    "Remove old releases from a host (--root) and/or old published versions from a store (--store --app)",
  args,
  async run({ settings, io, onEvent, signal }) {
    const hasRoot = settings.string("root") !== undefined;
    // Other hosts install from the shared store: its versions are pruned only when asked on the
    // command line (--store or --keep-versions), never because the config names a store.
    const storeAsked = settings.flag("store") !== undefined || settings.flag("keepVersions") !== undefined;
    const hasStore = storeAsked && settings.string("store") !== undefined;
    if (!hasRoot && !hasStore) {
      throw new UsageError(
        storeAsked
          ? "`deploykit prune --keep-versions` needs --store (or store in the config) and --app."
          : "`deploykit prune` needs --root (or root in the config) for a host, or --store with --app for a store.",
        "A store named only in the config is pruned with --keep-versions <n> on the command line.",
      );
    }
    const keep = settings.integer("keep");
    const keepVersions = settings.integer("keepVersions");
    const dryRun = settings.boolean("dryRun") === true;
    const root = hasRoot ? await rootFromSettings(settings, io.cwd, { mustExist: true }) : undefined;
    const app = hasStore ? settings.requiredApp() : undefined;
    const store = hasStore ? await openStore(settings, io.cwd, onEvent, { mustExist: true }) : undefined;
    const result = await prune({
      ...(root ? { root } : {}),
      ...(store && app ? { store, app } : {}),
      ...(keep !== undefined ? { keep } : {}),
      ...(keepVersions !== undefined ? { keepVersions } : {}),
      dryRun,
      onEvent,
      signal,
    });
    const verb = dryRun ? "Would remove" : "Removed";
    const list = (items: string[]) => (items.length ? items.join(", ") : "nothing");
    const lines: string[] = [];
    if (result.host) {
      lines.push(
        `${verb} from ${result.host.root}: releases ${list(result.host.releases)}; cache ${list(result.host.cache)}.`,
      );
      const why = { "in-use": "in use", fallback: "deploy fallback" } as const;
      const beyond = result.host.kept.map((k) => `${k.version} (${why[k.reason]}: ${k.detail})`);
      if (beyond.length)
        lines.push(
          `Kept beyond --keep ${keep ?? 5}: ${beyond.join("; ")}. A later prune removes ${beyond.length > 1 ? "them" : "it"} once free.`,
        );
    }
    if (result.store) {
      const kept = Object.entries(result.store.protected).map(([channel, v]) => `${v} (${channel})`);
      lines.push(
        `${verb} from ${result.store.location}: ${result.store.app} ${list(result.store.versions)}${kept.length ? `; kept for channels: ${kept.join(", ")}` : ""}.`,
      );
    }
    const configured = settings.string("store");
    if (!hasStore && configured !== undefined)
      lines.push(`The store ${configured} was left alone (prune it with --store or --keep-versions).`);
    if (dryRun) lines.push("Dry run: nothing was removed.");
    return { value: result, lines };
  },
};
