import { launchScript, type StrategyContext } from "@deploykit/core";
import { hostOf } from "../internal/host-io";

/** One process as `pm2 jlist` reports it. */
export interface Pm2Process {
  name: string;
  pid: number;
  status: string;
  restarts: number;
}

/** Runs pm2 commands with a chosen binary and `PM2_HOME`. */
export interface Pm2Cli {
  /** Runs `pm2 <args>`; output lines become `log` events unless `quiet`. */
  run(args: string[], quiet?: boolean): Promise<string>;
  /** The processes named `name` (any status). */
  list(name: string): Promise<Pm2Process[]>;
  /** Writes an ecosystem file with one app and returns its path. */
  writeApp(path: string, app: Record<string, unknown>): Promise<string>;
}

/** Creates a {@link Pm2Cli} over the context's process runner. */
export function pm2Cli(ctx: StrategyContext, bin: string, home: string | undefined): Pm2Cli {
  const env: Record<string, string> = home === undefined ? {} : { PM2_HOME: home };
  const run = async (args: string[], quiet = false) => {
    // pm2 hands its own environment to the apps it starts: run it the way every process starts
    // (core's launchScript: HOME, `.profile.d`, env) so the app sees the buildpack's PATH.
    const script = launchScript({
      dir: ctx.release.dir,
      // Run from the host root once the release's .profile.d is sourced: the pm2 daemon this may
      // start keeps its cwd and holds the port, and core's gate reads a cwd in a release as "that
      // release answers".
      command: ["sh", "-c", 'cd "$1" && shift && exec "$@"', "sh", ctx.root, bin, ...args],
      env: { ...ctx.env, ...env },
    });
    const result = await ctx.runner.run("sh", ["-c", script], {
      cwd: ctx.release.dir,
      signal: ctx.signal,
      ...(quiet
        ? {}
        : { onLine: (stream, line) => ctx.onEvent?.({ type: "log", step: "restart", stream, line }) }),
    });
    return result.stdout;
  };
  return {
    run,
    async list(name) {
      const text = await run(["jlist"], true);
      // The first pm2 call also prints the daemon's start-up lines; the list is the last JSON line.
      const json = text
        .split("\n")
        .reverse()
        .find((line) => line.startsWith("[{") || line.trim() === "[]");
      const all = JSON.parse(json ?? "[]") as {
        name: string;
        pid: number;
        pm2_env: { status: string; restart_time: number };
      }[];
      return all
        .filter((p) => p.name === name)
        .map((p) => ({
          name: p.name,
          pid: p.pid,
          status: p.pm2_env.status,
          restarts: p.pm2_env.restart_time,
        }));
    },
    async writeApp(path, app) {
      await hostOf(ctx).writeFile(path, JSON.stringify({ apps: [app] }, null, 2));
      return path;
    },
  };
}
