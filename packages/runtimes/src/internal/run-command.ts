import type { RunResult, StrategyContext } from "@deploykit/core";

/** A command: a shell string (run with `sh -c`) or a program and its arguments. */
export type CommandLine = string | readonly string[];

/** Splits a {@link CommandLine} into program + arguments. */
export function argv(command: CommandLine): [string, string[]] {
  if (typeof command === "string") return ["sh", ["-c", command]];
  const [program, ...args] = command;
  return [program ?? "", args];
}

/**
 * Runs a command through the context's runner in the live release's folder, with `ctx.env`
 * added to the environment and each output line emitted as a `log` event of `step`.
 */
export function runCommand(
  ctx: StrategyContext,
  command: CommandLine,
  options: { step: string; timeoutMs?: number | undefined; cwd?: string | undefined },
): Promise<RunResult> {
  const [program, args] = argv(command);
  return ctx.runner.run(program, args, {
    cwd: options.cwd ?? ctx.release.dir,
    env: ctx.env,
    signal: ctx.signal,
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    onLine: (stream, line) => ctx.onEvent?.({ type: "log", step: options.step, stream, line }),
  });
}
