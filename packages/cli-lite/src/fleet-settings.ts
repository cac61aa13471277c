import { resolve } from "node:path";
import type { HealthcheckOptions, RuntimeStrategy } from "@deploykit/core";
import {
  type FailurePolicy,
  type FleetHost,
  type FleetSelection,
  type Inventory,
  loadInventory,
  type StrategyData,
} from "@deploykit/fleet";
import { createStrategy, type StrategySpec, strategyNames } from "@deploykit/runtimes";
import type { ArgsDef } from "citty";
import type { Settings } from "./settings";
import { UsageError } from "./usage";

/** Flags that turn a host command into a fleet command (`--inventory`), and the rollout's. */
export const fleetArgs = {
  inventory: {
    type: "string",
    valueHint: "file",
    description:
      "Act on every host of this YAML inventory (deploykit's or Ansible's) instead of one (config: inventory)",
  },
  role: {
    type: "string",
    description: "With --inventory: only hosts with this role (comma-separated: any of them)",
  },
} as const satisfies ArgsDef;

/** Flags of fleet rollouts (deploy, rollback with --inventory). */
export const rolloutArgs = {
  batch: {
    type: "string",
    valueHint: "n|n%",
    description:
      "With --inventory: hosts per batch, a count or a share of each role's hosts (config: batchSize; default 1)",
  },
  "max-failures": {
    type: "string",
    valueHint: "n|n%",
    description:
      "With --inventory: host failures tolerated before the rollout halts (config: maxFailures; default 0)",
  },
  "max-unavailable": {
    type: "string",
    valueHint: "n|n%",
    description:
      "With --inventory: hosts out of service at once (config: maxUnavailable; default a whole batch)",
  },
  canary: {
    type: "string",
    description: "With --inventory: deploy this many hosts first, alone (config: canary)",
  },
  confirm: {
    type: "boolean",
    description: "With --canary: after the canary batch, ask on the terminal (stdin) before going on",
  },
  "on-failure": {
    type: "string",
    valueHint: "rollback|halt",
    description:
      "With --inventory: on a halt, roll back the hosts switched (default) or leave them (config: onFailure)",
  },
  "upload-concurrency": {
    type: "string",
    description: "With --inventory: artifact uploads in flight at once (config: uploadConcurrency)",
  },
} as const satisfies ArgsDef;

const FLEET_ONLY = [
  "role",
  "batch",
  "maxFailures",
  "maxUnavailable",
  "canary",
  "confirm",
  "onFailure",
  "uploadConcurrency",
];

/**
 * True when the command should act on an inventory. A rollout flag without `--inventory` is a
 * usage error, never ignored. @throws {@link UsageError}
 */
export function isFleet(settings: Settings): boolean {
  if (settings.string("inventory") !== undefined) return true;
  const given = FLEET_ONLY.filter((key) =>
    key === "confirm" ? settings.boolean(key) === true : settings.flag(key) !== undefined,
  );
  if (given.length > 0) {
    throw new UsageError(
      `${given.map((k) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`).join(", ")} only ${given.length === 1 ? "works" : "work"} with --inventory.`,
      "Pass --inventory hosts.yml to deploy to many hosts, or drop the rollout flags.",
    );
  }
  return false;
}

/** The inventory (`--inventory`, relative to the working dir or the config file) and `--role`. */
export async function fleetFromSettings(
  settings: Settings,
  cwd: string,
): Promise<FleetSelection & { inventory: Inventory }> {
  if (settings.string("host") !== undefined) {
    throw new UsageError("--inventory and --host exclude each other: the inventory names the hosts.");
  }
  const path = resolve(settings.baseDir("inventory", cwd), settings.requiredString("inventory"));
  const inventory = await loadInventory(path);
  const role = settings.string("role");
  const root = settings.string("root");
  if (root !== undefined) for (const host of inventory.hosts) host.root ??= root;
  return { inventory, ...(role !== undefined ? { role: role.split(",").filter(Boolean) } : {}) };
}

const amount = (settings: Settings, flag: string, key: string) => {
  const value = settings.flag(flag) ?? settings.config(key);
  return value === undefined ? undefined : (value as number | `${number}%`);
};

/** `--batch`, `--max-failures`, `--max-unavailable`, `--canary`, `--on-failure`, `--upload-concurrency` (checked by the SDK). */
export function rolloutFromSettings(settings: Settings) {
  const options: FailurePolicy & {
    batchSize?: number | `${number}%`;
    canary?: number;
    uploadConcurrency?: number;
  } = {};
  const batchSize = amount(settings, "batch", "batchSize");
  if (batchSize !== undefined) options.batchSize = batchSize;
  const maxFailures = amount(settings, "maxFailures", "maxFailures");
  if (maxFailures !== undefined) options.maxFailures = maxFailures;
  const maxUnavailable = amount(settings, "maxUnavailable", "maxUnavailable");
  if (maxUnavailable !== undefined) options.maxUnavailable = maxUnavailable;
  const canary = settings.integer("canary");
  if (canary !== undefined) options.canary = canary;
  const uploads = settings.integer("uploadConcurrency");
  if (uploads !== undefined) options.uploadConcurrency = uploads;
  const onFailure = settings.string("onFailure");
  if (onFailure !== undefined) options.onFailure = onFailure as "rollback" | "halt";
  return options;
}

/** A role's `strategy` from the inventory as a runtimes strategy. @throws {@link UsageError} for an unknown name */
function strategyOf(data: StrategyData, host: string): RuntimeStrategy {
  const { name, ...options } = typeof data === "string" ? { name: data } : data;
  if (!(strategyNames as string[]).includes(name)) {
    throw new UsageError(
      `${host}: unknown strategy "${name}" in the inventory.`,
      `Use one of: ${strategyNames.join(", ")}.`,
    );
  }
  return createStrategy({ ...options, strategy: name } as StrategySpec);
}

/**
 * Each host's strategy, health gate and env: the inventory's (host, role, defaults), else the
 * command line's / config file's. Every strategy is built before anything runs (a bad one
 * fails first). `required`: every host must have a strategy (deploy).
 */
export function bringUpForHosts(
  hosts: FleetHost[],
  fallback: {
    strategy: RuntimeStrategy | undefined;
    healthcheck?: string | HealthcheckOptions | undefined;
    env?: Record<string, string> | undefined;
  },
  required: boolean,
): (host: FleetHost) => RuntimeStrategy | undefined {
  const strategies = new Map<string, RuntimeStrategy | undefined>();
  for (const host of hosts) {
    strategies.set(host.name, host.strategy ? strategyOf(host.strategy, host.name) : fallback.strategy);
    if (fallback.healthcheck !== undefined) host.healthcheck ??= fallback.healthcheck;
    if (fallback.env) host.env ??= fallback.env;
  }
  const missing = hosts.filter((h) => !strategies.get(h.name)).map((h) => h.name);
  if (required && missing.length > 0) {
    throw new UsageError(
      `No strategy for ${missing.join(", ")}: \`deploykit deploy --inventory\` needs one per host.`,
      "Set strategy for their role in the inventory, or pass --strategy for all.",
    );
  }
  return (host) => strategies.get(host.name);
}
