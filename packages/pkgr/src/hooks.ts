import { DeployKitError, type EventSink } from "@deploykit/core";
import type { Redactor } from "./buildpack/redact";
import { runScript } from "./buildpack/run-script";

/** Runs `.pkgr.yml` `before:`/`after:` shell lines in the build dir with the build env. */
export async function runHooks(
  which: "before" | "after",
  lines: string[] | undefined,
  context: {
    buildDir: string;
    env: Record<string, string>;
    redact: Redactor;
    onEvent: EventSink | undefined;
    signal: AbortSignal | undefined;
  },
): Promise<void> {
  for (const line of lines ?? []) {
    const result = await runScript({
      command: "bash",
      args: ["-c", line],
      cwd: context.buildDir,
      env: context.env,
      exportFiles: [],
      step: `hook:${which}`,
      onEvent: context.onEvent,
      redact: context.redact,
      collect: false,
      signal: context.signal,
    });
    if (result.exitCode !== 0) {
      throw new DeployKitError(
        "E_COMMAND_FAILED",
        `The ${which}-precompile hook \`${context.redact(line)}\` exited with ${result.exitCode}. Last lines:\n${result.tail.join("\n")}`,
        {
          hint: `Fix the command under \`${which}:\` in .pkgr.yml (or --${which}-precompile); it runs in the build dir.`,
          details: {
            hook: which,
            command: context.redact(line),
            exitCode: result.exitCode,
            tail: result.tail,
          },
        },
      );
    }
  }
}
