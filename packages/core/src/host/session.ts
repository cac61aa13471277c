import { withRemoteHostLock } from "../remote/session";
import { asHostError } from "./fs-errors";
import { adoptLegacyCurrent, assertHostLayout } from "./host-state";
import { acquireLock } from "./lock";
import type { HostPlan } from "./plan";
import { recoverHost } from "./recover";
import { type HostState, readState } from "./state";

/** "install hello" → "installing hello", "rollback" → "rolling back", for "... while <doing>". */
const gerund = (operation: string) =>
  operation.replace(/^(\w+)/, (verb) =>
    verb === "rollback" ? "rolling back" : `${verb.replace(/e$/, "")}ing`,
  );

/**
 * The one skeleton of every operation that changes or restarts a host (install, deploy,
 * rollback, restart): checks the layout without writing (`E_HOST_STATE`), takes the root's lock
 * (waiting up to `plan.lockTimeoutMs`, else `E_LOCKED`), moves a legacy `current` aside when
 * allowed, reads `state.json` once and reconciles it with the disk (an interrupted run's
 * `current` switch, debris), runs `work` with that state, and releases the lock whatever happens
 * — including when `work` stops on the plan's abort signal.
 *
 * Disk, permission and read-only failures come out as `E_DISK_FULL`, `E_PERMISSION`,
 * `E_READ_ONLY`. On a remote host (`plan.host` over SSH) the same skeleton runs through the
 * connection ({@link withRemoteHostLock}).
 */
export async function withHostLock<T>(
  plan: HostPlan,
  operation: string,
  work: (state: HostState) => Promise<T>,
): Promise<T> {
  if (plan.host.kind !== "local") return withRemoteHostLock(plan, operation, work);
  const doing = `${gerund(operation)} under ${plan.layout.root}`;
  try {
    await assertHostLayout(plan);
    const lock = await acquireLock(plan.layout.lock, {
      operation,
      clock: plan.ports.clock,
      timeoutMs: plan.lockTimeoutMs,
      onEvent: plan.onEvent,
      signal: plan.signal,
    });
    try {
      if (plan.adoptLegacyCurrent) await adoptLegacyCurrent(plan);
      const state = await readState(plan.layout.state);
      await recoverHost(plan, state);
      return await work(state);
    } finally {
      // A lock that cannot be removed (the disk went read-only) is taken over by the next run,
      // as its holder is gone by then; the error that matters is the one that stopped `work`.
      await lock.release().catch(() => undefined);
    }
  } catch (error) {
    throw asHostError(error, doing);
  }
}
