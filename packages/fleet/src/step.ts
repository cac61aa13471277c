import type { DeployKitError, EventSink } from "@deploykit/core";
import type { HostAction } from "./events";
import type { FleetHost } from "./inventory/model";
import type { Limiter } from "./limiter";

/** What the rollout hands the per-host step. */
export interface HostStepContext {
  host: FleetHost;
  action: HostAction;
  /**
   * `deploy`: the release version (pinned once for the whole rollout when a channel was given);
   * `rollback`: the version to go back to (undefined: the host's previous release).
   */
  version?: string;
  /** The host's own events (the rollout tags them with the host's name). */
  onEvent: EventSink;
  /** The rollout's abort signal: a host already running finishes or rolls back, as `deploy()` does. */
  signal?: AbortSignal;
  /** The rollout's limit on artifact uploads in flight (`uploadConcurrency`). */
  uploads: Limiter;
}

/** What one host's deploy or rollback did. A thrown `DeployKitError` means it failed. */
export interface HostStepResult {
  /** The version live before. */
  versionBefore?: string;
  /** The version live after. */
  versionAfter: string;
  /** The host already ran the requested version; nothing changed. */
  unchanged?: boolean;
  /**
   * The new release failed its restart or health gate and the host restored the old one itself
   * (core's `deploy()` `rolledBack`): the host failed, but serves `versionAfter` (the old one).
   */
  restored?: boolean;
  /** Why it was restored. */
  cause?: DeployKitError;
}

/**
 * One host's part of a rollout: the seam that keeps the engine free of host logic. The default
 * runs core's `deploy()` / `rollback()` over the host's connection; tests inject a double
 * (`createFleetDouble().step` from `@deploykit/fleet/testing`).
 */
export type HostStep = (ctx: HostStepContext) => Promise<HostStepResult>;
