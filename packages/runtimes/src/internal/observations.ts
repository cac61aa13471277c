import type { StrategyContext } from "@deploykit/core";

/**
 * What a strategy saw while restarting, in order, without repeats. Each new line is also
 * emitted as a `log` event; the list goes into `E_RESTART_FAILED`'s details as `seen`.
 */
export interface Observations {
  readonly seen: string[];
  note(line: string): void;
}

/** Starts an {@link Observations} log for one restart. */
export function observations(ctx: StrategyContext, strategy: string): Observations {
  const seen: string[] = [];
  return {
    seen,
    note(line) {
      if (seen.at(-1) === line) return;
      seen.push(line);
      ctx.onEvent?.({ type: "log", step: "restart", stream: "stdout", line: `${strategy}: ${line}` });
    },
  };
}
