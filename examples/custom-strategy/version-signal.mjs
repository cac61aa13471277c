// A runtime strategy another team might write: the app re-reads `<root>/current/VERSION` when it
// gets SIGUSR2, so a restart is "send SIGUSR2, then wait until the app answers the new version".
// Only public entry points are used; every side effect goes through the context's ports, so the
// contract kit can run it against fakes in milliseconds and against the real app in a second, and
// it works unchanged on a server reached over SSH (the ports then act there).
import { DeployKitError } from "@deploykit/core";
import { defineStrategy } from "@deploykit/runtimes";

/**
 * @param {{ pidFile: string, url: string, timeoutMs?: number }} options
 * @returns {import("@deploykit/core").RuntimeStrategy}
 */
export function versionSignal({ pidFile, url, timeoutMs = 10_000 }) {
  return defineStrategy({
    name: "version-signal",
    async restart(ctx) {
      const pid = await ctx.processes.readPidFile(pidFile);
      if (
        pid === undefined ||
        !(await ctx.processes.isAlive(pid)) ||
        !(await ctx.processes.kill(pid, "SIGUSR2"))
      ) {
        throw new DeployKitError("E_RESTART_FAILED", `version-signal: no live process in ${pidFile}.`, {
          details: { pidFile },
        });
      }
      const want = ctx.release.version;
      let seen = "nothing yet";
      for (const deadline = ctx.clock.now() + timeoutMs; ctx.clock.now() < deadline; ) {
        try {
          const answer = await ctx.probe.get(url, { timeoutMs: 2_000, signal: ctx.signal });
          seen = `${answer.status} ${answer.body.trim()}`;
          if (answer.status === 200 && answer.body.trim() === want)
            return { strategy: "version-signal", pids: [pid] };
        } catch (error) {
          if (ctx.signal?.aborted)
            throw new DeployKitError("E_ABORTED", "version-signal: aborted.", { cause: error });
          seen = String(error?.message ?? error);
        }
        try {
          await ctx.clock.sleep(50, ctx.signal);
        } catch (error) {
          throw new DeployKitError("E_ABORTED", "version-signal: aborted.", { cause: error });
        }
      }
      throw new DeployKitError(
        "E_RESTART_FAILED",
        `version-signal: ${url} never answered ${want} (last: ${seen}).`,
        {
          details: { url, want, seen },
        },
      );
    },
    async status(ctx) {
      const pid = await ctx.processes.readPidFile(pidFile);
      return pid !== undefined && (await ctx.processes.isAlive(pid))
        ? { running: true, pids: [pid] }
        : { running: false };
    },
  });
}
