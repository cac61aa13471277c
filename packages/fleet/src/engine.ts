import { type Clock, DeployKitError, isDeployKitError } from "@deploykit/core";
import { hostsOf, type ParsedAmount } from "./amount";
import type { FleetEventSink, FleetHaltEvent, HostAction } from "./events";
import type { FleetHost } from "./inventory/model";
import { createLimiter, type Limiter } from "./limiter";
import type { PlannedBatch } from "./plan";
import { type FleetResult, type HostResult, summarise } from "./result";
import type { HostStep, HostStepResult } from "./step";

/** Everything the engine needs: a plan, a step, a policy; no host logic. */
export interface Rollout {
  action: HostAction;
  batches: PlannedBatch[];
  step: HostStep;
  /** deploy: the release; rollback: the version to return to (default: each host walks one release back). */
  version?: string;
  maxFailures: ParsedAmount;
  /** Undefined: a whole batch at once. */
  maxUnavailable?: ParsedAmount;
  /** After a halt on failures, roll back the hosts this rollout switched. */
  rollbackOnHalt: boolean;
  uploads: Limiter;
  clock: Clock;
  confirm?: (canary: HostResult[]) => Promise<boolean>;
  onEvent?: FleetEventSink;
  signal?: AbortSignal;
}

type Halt = FleetHaltEvent["reason"];

const failureOf = (error: unknown) => {
  const typed = isDeployKitError(error)
    ? error
    : new DeployKitError("E_COMMAND_FAILED", (error as Error)?.message ?? String(error), { cause: error });
  return {
    errorCode: typed.code,
    error: { message: typed.message, ...(typed.hint ? { hint: typed.hint } : {}) },
  };
};

/**
 * A host's deploy that an abort reached after its restart, when the new release served and was
 * kept (core's `E_ABORTED` with `details.live` the version deployed): the host did what was
 * asked, so it is `deployed`, not a failure.
 */
function keptThroughAbort(
  error: unknown,
  action: HostAction,
  version: string | undefined,
): HostStepResult | undefined {
  if (action !== "deploy" || !isDeployKitError(error, "E_ABORTED")) return undefined;
  const { live, previous } = error.details;
  if (live !== version || typeof live !== "string") return undefined;
  return { versionAfter: live, ...(typeof previous === "string" ? { versionBefore: previous } : {}) };
}

/** An aborted deploy that switched its host back (`details.live`, `abandoned`): the versions it names. */
function versionsOfAbort(error: unknown): Pick<HostResult, "versionBefore" | "versionAfter" | "restored"> {
  if (!isDeployKitError(error, "E_ABORTED") || typeof error.details.abandoned !== "string") return {};
  const live = error.details.live;
  return typeof live === "string" ? { versionBefore: live, versionAfter: live, restored: true } : {};
}

/**
 * Runs a rollout plan: batch after batch, at most `maxUnavailable` hosts of a batch at once
 * (less the unreachable hosts seen so far, at least 1); a batch starts when the previous one has
 * finished. Each host's failure counts against `maxFailures`; once it is exceeded, or on abort,
 * no new host starts (hosts running finish); on a failure halt, hosts this rollout switched are
 * rolled back to the version they ran, if `rollbackOnHalt`. Hosts never started stay untouched.
 * Never throws for a host's failure: it is in that host's result.
 */
export async function runRollout(r: Rollout): Promise<FleetResult> {
  const { clock, onEvent, signal } = r;
  const started = clock.now();
  const results = new Map<string, HostResult>();
  for (const { batch, hosts } of r.batches)
    for (const h of hosts)
      results.set(h.name, { host: h.name, roles: h.roles, batch, outcome: "skipped", durationMs: 0 });
  const planned = results.size;
  onEvent?.({
    type: "fleet:plan",
    planned,
    batches: r.batches.map((b) => ({
      batch: b.batch,
      ...(b.role ? { role: b.role } : {}),
      canary: b.canary,
      hosts: b.hosts.map((h) => h.name),
    })),
  });
  const allowed = hostsOf(r.maxFailures, planned, "down");
  let failures = 0;
  let unreachable = 0;
  let halt: Halt | undefined;
  const halting = (reason: Halt, message: string) => {
    if (halt) return;
    halt = reason;
    onEvent?.({ type: "fleet:halt", reason, message, failures });
  };
  const checkAbort = () => {
    if (signal?.aborted) halting("aborted", "Aborted: no new host starts; hosts already running finish.");
  };

  const runHost = async (host: FleetHost, batch: number, action: HostAction, version: string | undefined) => {
    const result = results.get(host.name) as HostResult;
    const t0 = clock.now();
    onEvent?.({ type: "fleet:host:start", host: host.name, batch, action });
    let done: HostStepResult | undefined;
    try {
      done = await r.step({
        host,
        action,
        ...(version !== undefined ? { version } : {}),
        onEvent: (event) => onEvent?.({ ...event, host: host.name }),
        ...(signal ? { signal } : {}),
        uploads: r.uploads,
      });
    } catch (error) {
      done = keptThroughAbort(error, action, version);
      if (!done) Object.assign(result, failureOf(error), versionsOfAbort(error));
    }
    result.durationMs += clock.now() - t0;
    return { result, done };
  };

  const deployHost = async (host: FleetHost, batch: number) => {
    const { result, done } = await runHost(host, batch, r.action, r.version);
    if (done) {
      if (done.versionBefore !== undefined) result.versionBefore = done.versionBefore;
      result.versionAfter = done.versionAfter;
      if (done.restored) Object.assign(result, { restored: true }, failureOf(done.cause ?? "restored"));
    }
    const failed = !done || done.restored === true;
    result.outcome = failed
      ? "failed"
      : done.unchanged
        ? "unchanged"
        : r.action === "deploy"
          ? "deployed"
          : "rolled-back";
    checkAbort(); // an abort seen first is the halt's reason: no rollback for it, no failure counted
    if (failed && result.errorCode !== "E_ABORTED") {
      failures++;
      if (result.errorCode === "E_HOST_UNREACHABLE") unreachable++;
      if (failures > allowed)
        halting(
          "max-failures",
          `${failures} host(s) failed; the budget is ${allowed} (maxFailures): no new host starts.`,
        );
    }
    onEvent?.({ type: "fleet:host:finish", host: host.name, batch, action: r.action, result: { ...result } });
  };

  for (const batch of r.batches) {
    checkAbort();
    if (halt) break;
    const names = batch.hosts.map((h) => h.name);
    onEvent?.({ type: "fleet:batch", phase: "start", batch: batch.batch, hosts: names });
    // maxUnavailable counts the hosts found unreachable so far as out of service too.
    const inFlight = () =>
      r.maxUnavailable
        ? Math.max(1, Math.min(batch.hosts.length, hostsOf(r.maxUnavailable, planned, "down") - unreachable))
        : batch.hosts.length;
    const queue = [...batch.hosts];
    const running = new Set<Promise<void>>();
    while (queue.length > 0) {
      checkAbort();
      if (halt) break;
      if (running.size >= inFlight()) {
        await Promise.race(running);
        continue;
      }
      const host = queue.shift() as FleetHost;
      const job: Promise<void> = deployHost(host, batch.batch).finally(() => running.delete(job));
      running.add(job);
    }
    await Promise.all(running);
    onEvent?.({ type: "fleet:batch", phase: "finish", batch: batch.batch, hosts: names });
    const next = r.batches[batch.batch];
    if (!halt && batch.canary && next && !next.canary && r.confirm) {
      const canaries = [...results.values()].filter((h) => h.batch === batch.batch);
      if (!(await r.confirm(canaries)))
        halting("not-confirmed", "The canary was not confirmed: no new host starts.");
    }
  }

  // A failure budget spent, or a canary the operator did not confirm: undo what this rollout
  // switched (onFailure "rollback"). An abort lets running hosts finish or undo their own step.
  if ((halt === "max-failures" || halt === "not-confirmed") && r.rollbackOnHalt && r.action === "deploy") {
    const switched = r.batches.flatMap((b) => b.hosts.map((h) => ({ h, b: b.batch })));
    const undo = switched.filter(({ h }) => {
      const res = results.get(h.name) as HostResult;
      return res.outcome === "deployed" && res.versionBefore !== undefined;
    });
    const limit = createLimiter(
      r.maxUnavailable ? Math.max(1, hostsOf(r.maxUnavailable, planned, "down")) : Infinity,
    );
    await Promise.all(
      undo.map(({ h, b }) =>
        limit.run(async () => {
          const back = (results.get(h.name) as HostResult).versionBefore;
          const { result, done } = await runHost(h, b, "rollback", back);
          if (done) {
            result.outcome = done.restored ? "failed" : "rolled-back";
            result.versionAfter = done.versionAfter;
            if (done.restored) Object.assign(result, failureOf(done.cause ?? "restored"));
          } else result.outcome = "failed";
          onEvent?.({
            type: "fleet:host:finish",
            host: h.name,
            batch: b,
            action: "rollback",
            result: { ...result },
          });
        }),
      ),
    );
  }
  const result = summarise([...results.values()], r.action, halt, clock.now() - started);
  return r.version === undefined ? result : { ...result, version: r.version };
}
