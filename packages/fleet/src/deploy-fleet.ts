import {
  assertAppName,
  assertVersion,
  type Clock,
  DeployKitError,
  readChannel,
  readManifest,
  type StagedArtifact,
  stageArtifact,
} from "@deploykit/core";
import { type Amount, parseAmount } from "./amount";
import { runRollout } from "./engine";
import type { FleetEventSink } from "./events";
import { type HostDeploySettings, hostDeployStep } from "./host-step";
import { createLimiter } from "./limiter";
import { type BatchOptions, type PlannedBatch, parseBatchOptions, splitBatches } from "./plan";
import type { FleetResult, HostResult } from "./result";
import { type FleetSelection, selectHosts } from "./select";
import type { HostStep } from "./step";

/** When to stop a rollout, and what to do with the hosts already switched. */
export interface FailurePolicy {
  /** Host failures tolerated before the rollout halts: a count or a share of the planned hosts (rounded down). Default 0. */
  maxFailures?: Amount;
  /** On a halt: roll back the hosts this rollout switched (`"rollback"`, default) or leave them (`"halt"`). */
  onFailure?: "rollback" | "halt";
  /**
   * Hosts out of service at once: a count or a share of the planned hosts (rounded down, at
   * least 1). Hosts being deployed count, and so do hosts found unreachable. Default: a whole
   * batch at once.
   */
  maxUnavailable?: Amount;
}

/** Options shared by fleet operations. */
export interface FleetOperationOptions extends FleetSelection, BatchOptions, FailurePolicy {
  /** Artifact uploads in flight at once across the fleet. Default: no limit. */
  uploadConcurrency?: number;
  /** The per-host step. Default: core's `deploy()` / `rollback()` over each host's connection. */
  step?: HostStep;
  /** Time for durations (ms). Default the system clock; tests pass a simulated one. */
  clock?: Clock;
  /** Events of the rollout and of each host (tagged with its name). */
  onEvent?: FleetEventSink;
  /** Stops starting new hosts; hosts already running finish or roll back (as `deploy()` does). */
  signal?: AbortSignal;
}

/** Options for {@link deployFleet}. */
export interface DeployFleetOptions extends FleetOperationOptions, Omit<HostDeploySettings, "app"> {
  /** The app; default the inventory's `app`. */
  app?: string;
  /** The release to deploy; a channel is read once, so every host gets the same version. */
  version?: string;
  channel?: string;
  /** After the canary batch: go on (`true`) or halt (`false`). Default: go on. */
  confirm?: (canary: HostResult[]) => Promise<boolean>;
}

/** Checks the parts of options every fleet operation shares. @throws `E_INVALID_INPUT` */
export function fleetPlan(options: FleetOperationOptions) {
  const { hosts, order } = selectHosts(options);
  const batches = splitBatches(hosts, parseBatchOptions(options, order));
  const upload = options.uploadConcurrency ?? Number.POSITIVE_INFINITY;
  if (!(upload === Number.POSITIVE_INFINITY || (Number.isInteger(upload) && upload >= 1))) {
    throw new DeployKitError(
      "E_INVALID_INPUT",
      `uploadConcurrency must be a whole number >= 1 (got ${upload}).`,
      {
        hint: "e.g. uploadConcurrency: 4 sends the artifact to at most 4 hosts at once.",
      },
    );
  }
  const onFailure = options.onFailure ?? "rollback";
  if (onFailure !== "rollback" && onFailure !== "halt") {
    throw new DeployKitError(
      "E_INVALID_INPUT",
      `onFailure must be "rollback" or "halt" (got ${JSON.stringify(onFailure)}).`,
      {
        hint: '"rollback" (default) switches back the hosts already deployed; "halt" leaves them.',
      },
    );
  }
  return {
    batches,
    maxFailures: parseAmount("maxFailures", options.maxFailures ?? 0),
    ...(options.maxUnavailable !== undefined
      ? { maxUnavailable: parseAmount("maxUnavailable", options.maxUnavailable, 1) }
      : {}),
    rollbackOnHalt: onFailure === "rollback",
    uploads: createLimiter(upload),
    clock: options.clock ?? { now: () => Date.now(), sleep: () => Promise.resolve() },
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  };
}

/**
 * The batches a rollout of these options would run, without touching any host: to review a
 * plan, or unit-test one. @throws `E_INVALID_INPUT` as {@link deployFleet} would.
 */
export function planRollout(options: FleetSelection & BatchOptions): PlannedBatch[] {
  const { hosts, order } = selectHosts(options);
  return splitBatches(hosts, parseBatchOptions(options, order));
}

/**
 * The artifact of a rollout with the default step to 2 hosts or more, read from the store and
 * checked (sha256, archive guard) once on this machine: every host is sent that local copy
 * instead of the store being read and the bytes scanned again per host. Each host still checks
 * the sha256 itself. A single host streams from the store (staging first would only add a pass).
 */
async function stageOnce(
  options: DeployFleetOptions,
  app: string,
  version: string,
  hosts: number,
): Promise<StagedArtifact | undefined> {
  if (options.step || !options.store || hosts < 2) return undefined;
  const manifest = await readManifest(options.store, app, version);
  return stageArtifact(options.store, manifest, options.signal ? { signal: options.signal } : {});
}

/** The version a rollout deploys: `version`, or the channel's, read once. */
async function pinVersion(options: DeployFleetOptions, app: string): Promise<string> {
  if ((options.version === undefined) === (options.channel === undefined)) {
    throw new DeployKitError("E_INVALID_INPUT", "Give exactly one of version or channel.", {
      hint: "e.g. --version 1.2.0, or --channel production.",
    });
  }
  if (options.version !== undefined) assertVersion(options.version);
  if (!options.store) {
    if (options.version !== undefined && options.step) return options.version;
    throw new DeployKitError("E_INVALID_INPUT", "deployFleet needs a store to deploy from.", {
      hint: "Pass store (createFsStore, createS3Store).",
    });
  }
  if (options.version !== undefined) {
    await readManifest(options.store, app, options.version);
    return options.version;
  }
  const pointer = await readChannel(options.store, app, options.channel as string);
  if (!pointer) {
    throw new DeployKitError("E_NOT_FOUND", `Channel ${options.channel} of ${app} does not exist.`, {
      hint: "Publish with --channel, or promote a version to it, first.",
      details: { app, channel: options.channel },
    });
  }
  return pointer.version;
}

/**
 * Deploys one release to many hosts: an inventory (hosts with roles) in batches, with a failure
 * budget, halt and roll back; each host runs core's single-host `deploy()` over its own
 * connection (install only, when its role has no strategy). Everything is checked first: the
 * options, every host's root, the release (a channel is read once and its version pinned), so
 * bad input fails before any host is touched. A host's failure never throws: it is in its
 * {@link HostResult} (`E_HOST_UNREACHABLE` within the connect timeout for a host that cannot be
 * reached); the rollout's own state is in {@link FleetResult.summary}.
 *
 * @example
 * ```ts
 * const result = await deployFleet({ inventory: await loadInventory("hosts.yml"), role: "web",
 *   store, version: "2.0.0", strategy: node({ script: "server.js" }), batchSize: "25%", maxFailures: 1 })
 * if (!result.ok) console.error(result.summary)
 * ```
 * @throws `DeployKitError` before any host is touched: `E_INVALID_INPUT`, `E_INVALID_NAME`,
 * `E_INVALID_VERSION`, `E_NOT_FOUND` (release or channel), store errors; for 2 hosts or more
 * (the artifact is checked once, first), `E_CHECKSUM_MISMATCH` and `E_UNSAFE_ARCHIVE`.
 */
export async function deployFleet(options: DeployFleetOptions): Promise<FleetResult> {
  const app = options.app ?? options.inventory?.app;
  if (app === undefined) {
    throw new DeployKitError(
      "E_INVALID_INPUT",
      "deployFleet needs an app (option app, or app in the inventory).",
      {
        hint: "e.g. app: web at the top of the inventory.",
      },
    );
  }
  assertAppName(app);
  const plan = fleetPlan(options);
  const version = await pinVersion(options, app);
  const hosts = plan.batches.reduce((sum, batch) => sum + batch.hosts.length, 0);
  const staged = await stageOnce(options, app, version, hosts);
  try {
    return await runRollout({
      ...plan,
      action: "deploy",
      version,
      step: options.step ?? hostDeployStep({ ...options, app, ...(staged ? { staged } : {}) }),
      ...(options.confirm ? { confirm: options.confirm } : {}),
    });
  } finally {
    staged?.dispose();
  }
}
