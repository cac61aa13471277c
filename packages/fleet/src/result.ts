import type { ErrorCode } from "@deploykit/core";
import type { HostAction } from "./events";

/**
 * Where a host ended:
 * - `deployed`: switched to the release and healthy;
 * - `unchanged`: it already ran the release (nothing restarted);
 * - `failed`: its deploy failed (unreachable, refused, or its own health gate failed and it
 *   restored its old release itself, `restored: true`);
 * - `rolled-back`: it was deployed, then the rollout halted and switched it back;
 * - `skipped`: never started (the rollout halted or was aborted first): untouched.
 */
export type HostOutcome = "deployed" | "unchanged" | "failed" | "rolled-back" | "skipped";

/** One host's part in a rollout. */
export interface HostResult {
  host: string;
  roles: string[];
  /** The batch it was planned in (1-based). */
  batch: number;
  outcome: HostOutcome;
  /** The version live before the rollout touched it (unknown when it was not reached). */
  versionBefore?: string;
  /** The version live at the end (unknown when it was not reached). */
  versionAfter?: string;
  /** Time spent on the host (its deploy plus any rollback), in ms. */
  durationMs: number;
  /** The failure's code, e.g. `E_HOST_UNREACHABLE`, `E_HEALTHCHECK`, `E_LOCKED`. */
  errorCode?: ErrorCode;
  /** The failure's message and hint. */
  error?: { message: string; hint?: string };
  /** The host's own deploy restored its previous release (its restart or health gate failed). */
  restored?: boolean;
}

/** Counts of a rollout, for the last line of a report. */
export interface FleetSummary {
  /** Hosts the rollout meant to deploy. */
  planned: number;
  /** Hosts that did what was asked: `deployed` + `unchanged` (a fleet rollback: `rolled-back` + `unchanged`). */
  done: number;
  failed: number;
  /** Hosts a deploy switched and then rolled back when the rollout halted (a fleet rollback: its hosts rolled back). */
  rolledBack: number;
  /** Hosts never touched. */
  skipped: number;
  /** True when the rollout stopped early (failure budget spent, aborted, not confirmed). */
  halted: boolean;
  /** Why it halted. */
  haltReason?: "max-failures" | "aborted" | "not-confirmed";
  /** Wall time of the whole rollout, in ms (on the rollout's clock). */
  durationMs: number;
}

/** What `deployFleet()` / `rollbackFleet()` return. */
export interface FleetResult {
  /** One result per planned host, in plan order. */
  hosts: HostResult[];
  summary: FleetSummary;
  /** The version deployed (a channel's, pinned at the start), or rolled back to when one was named. */
  version?: string;
  /** True when every planned host did what was asked (`done === planned`). */
  ok: boolean;
}

/** Counts the outcomes of `hosts`. */
export function summarise(
  hosts: HostResult[],
  action: HostAction,
  halt: FleetSummary["haltReason"] | undefined,
  durationMs: number,
): FleetResult {
  const count = (...outcomes: HostOutcome[]) => hosts.filter((h) => outcomes.includes(h.outcome)).length;
  const summary: FleetSummary = {
    planned: hosts.length,
    done: count(action === "deploy" ? "deployed" : "rolled-back", "unchanged"),
    failed: count("failed"),
    rolledBack: count("rolled-back"),
    skipped: count("skipped"),
    halted: halt !== undefined,
    ...(halt ? { haltReason: halt } : {}),
    durationMs,
  };
  return { hosts, summary, ok: summary.done === summary.planned };
}
