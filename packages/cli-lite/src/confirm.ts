import { once } from "node:events";
import { createInterface } from "node:readline/promises";
import type { HostResult } from "@deploykit/fleet";
import type { CliIo } from "./io";

/**
 * `--confirm`: after the canary batch, says how the canaries ended on stderr and asks whether
 * to go on, reading one line from stdin. Only `y` / `yes` goes on; anything else, or the end of
 * stdin, halts the rollout (the hosts not yet started stay untouched).
 */
export function confirmOnStdin(io: CliIo): (canary: HostResult[]) => Promise<boolean> {
  return async (canary) => {
    const seen = canary
      .map((h) => `${h.host} ${h.outcome}${h.errorCode ? ` [${h.errorCode}]` : ""}`)
      .join(", ");
    const lines = createInterface({ input: io.stdin ?? process.stdin, output: io.stderr, terminal: false });
    try {
      const answer = await Promise.race([
        lines.question(`Canary: ${seen}. Go on with the other hosts? [y/N] `),
        once(lines, "close").then(() => ""),
      ]);
      return /^y(es)?$/i.test(answer.trim());
    } finally {
      lines.close();
    }
  };
}
