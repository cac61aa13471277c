import { DeployKitError, type RuntimeStrategy, type StrategyContext, throwIfAborted } from "@deploykit/core";

/**
 * Declares a runtime strategy: how other teams add a runtime. A strategy that acts through its
 * context (`ctx.processes`, `ctx.runner`, `ctx.probe`, and `ctx.host` for files) works on a
 * remote host without knowing it: with `host: sshHost(...)` those ports act on the server.
 * Checks the definition up front
 * (a name, a `restart` function) and returns it as a {@link RuntimeStrategy} whose `restart`
 * refuses to start once the context's signal has fired (`E_ABORTED`). Run
 * `runtimeContractCases` from `@deploykit/runtimes/testing` against it.
 *
 * @example
 * ```ts
 * export const puma = (pidFile: string) => defineStrategy({
 *   name: "puma",
 *   async restart(ctx) {
 *     const pid = await ctx.processes.readPidFile(pidFile)
 *     if (pid === undefined || !(await ctx.processes.kill(pid, "SIGUSR1"))) throw new Error("puma is not running")
 *     return { strategy: "puma", pids: [pid] }
 *   },
 * })
 * ```
 */
export function defineStrategy<S extends RuntimeStrategy>(definition: S): S {
  if (typeof definition?.name !== "string" || !/^[a-z0-9][a-z0-9._-]*$/i.test(definition.name)) {
    throw new DeployKitError(
      "E_INVALID_INPUT",
      "defineStrategy(): `name` must be a short word like `puma`.",
      {
        details: { name: definition?.name },
      },
    );
  }
  for (const key of ["restart", "preflight", "status", "healthcheck", "stop"] as const) {
    const value = definition[key];
    if ((key === "restart" || value !== undefined) && typeof value !== "function") {
      throw new DeployKitError("E_INVALID_INPUT", `defineStrategy(): \`${key}\` must be a function.`, {
        details: { name: definition.name, key },
      });
    }
  }
  const restart = definition.restart.bind(definition);
  return Object.freeze({
    ...definition,
    async restart(ctx: StrategyContext) {
      throwIfAborted(ctx.signal);
      return restart(ctx);
    },
  });
}
