import { DeployKitError } from "@deploykit/core";
import { type Amount, hostsOf, type ParsedAmount, parseAmount } from "./amount";
import type { FleetHost } from "./inventory/model";

/** How hosts are split into batches: see {@link planRollout}. */
export interface BatchOptions {
  /** Hosts per batch: a count or a share of each role's hosts (`"25%"`, rounded up). Default 1. */
  batchSize?: Amount;
  /** Hosts deployed first, in a batch of their own (then the rollout goes on). Default 0. */
  canary?: number;
  /** Roles in rollout order (e.g. `["web", "worker"]`); default the inventory's `order`. */
  order?: string[];
}

/** One batch of a rollout plan. */
export interface PlannedBatch {
  /** 1-based position in the rollout. */
  batch: number;
  /** The role whose hosts this batch deploys (the host's first role in rollout order). */
  role?: string;
  /** True for the canary batch. */
  canary: boolean;
  hosts: FleetHost[];
}

/** Checked batch settings, for {@link planRollout} and the engine. */
export interface ParsedBatchOptions {
  batchSize: ParsedAmount;
  canary: number;
  order: string[];
}

/** Checks {@link BatchOptions} before anything runs. @throws `E_INVALID_INPUT` */
export function parseBatchOptions(options: BatchOptions, order: string[]): ParsedBatchOptions {
  const canary = options.canary ?? 0;
  if (!Number.isInteger(canary) || canary < 0) {
    throw new DeployKitError("E_INVALID_INPUT", `canary must be a whole number >= 0 (got ${canary}).`, {
      hint: "canary: 1 deploys one host first, alone.",
    });
  }
  return {
    batchSize: parseAmount("batchSize", options.batchSize ?? 1, 1),
    canary,
    order: options.order ?? order,
  };
}

/**
 * Splits hosts into batches: grouped by role in rollout order (a host goes with its first role
 * in that order; hosts without a role last), the first `canary` hosts alone in batch 1, then
 * each role's hosts in batches of `batchSize` (a percentage is of that role's hosts, rounded up,
 * at least 1). Host order within a role is the inventory's. Pure: the same input, the same plan.
 */
export function splitBatches(hosts: FleetHost[], options: ParsedBatchOptions): PlannedBatch[] {
  const rank = (h: FleetHost) => {
    const ranks = h.roles.map((r) => options.order.indexOf(r)).filter((i) => i >= 0);
    return ranks.length ? Math.min(...ranks) : options.order.length;
  };
  const phases = new Map<number, FleetHost[]>();
  for (const host of hosts) phases.set(rank(host), [...(phases.get(rank(host)) ?? []), host]);
  const ordered = [...phases].sort(([a], [b]) => a - b);
  const batches: PlannedBatch[] = [];
  const push = (role: string | undefined, canary: boolean, group: FleetHost[]) =>
    batches.push({ batch: batches.length + 1, ...(role ? { role } : {}), canary, hosts: group });
  let canaries = options.canary;
  for (const [at, group] of ordered) {
    const role = options.order[at];
    const rest = [...group];
    if (canaries > 0) {
      const first = rest.splice(0, canaries);
      canaries -= first.length;
      push(role, true, first);
    }
    const size = Math.max(1, hostsOf(options.batchSize, group.length, "up"));
    for (let i = 0; i < rest.length; i += size) push(role, false, rest.slice(i, i + size));
  }
  return batches;
}
