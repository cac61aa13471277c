import type { DeployEvent } from "@deploykit/core";
import type { FleetEvent } from "@deploykit/fleet";
import type { CliIo } from "../io";
import { colorsFor } from "./colors";
import { errorView, stackTrace } from "./error-view";
import { fleetLine, isFleetEvent } from "./fleet-lines";
import { FleetTable } from "./fleet-table";
import { formatDuration } from "./format";
import { ProgressBars } from "./progress-bars";
import type { Reporter } from "./reporter";

/** Settings of the {@link humanReporter}. */
export interface HumanOptions {
  /** Show log lines from child processes (buildpacks, restart commands...). */
  verbose: boolean;
  /** Show stack traces with errors. */
  debug: boolean;
}

/**
 * Human output: step lines with durations, warnings and (with `--verbose`) log lines on
 * stderr, the summary on stdout. Byte progress is drawn as bars only when stdout and stderr
 * are both terminals. Colours follow no-color.org: a non-empty `NO_COLOR` turns them off.
 */
export function humanReporter(io: CliIo, options: HumanOptions): Reporter {
  const colors = colorsFor(io.stderr);
  const bars = io.stdout.isTTY && io.stderr.isTTY ? new ProgressBars(io.stderr) : undefined;
  const err = (text: string) => io.stderr.write(`${text}\n`);
  // A rollout's live table (one row per host) replaces its lines on a terminal that fits it.
  const table = bars ? new FleetTable(io.stderr) : undefined;
  let tableOn = false;
  return {
    onEvent(event: DeployEvent | FleetEvent) {
      if (isFleetEvent(event)) {
        if (event.type === "fleet:plan" && table?.fits(event.planned)) tableOn = true;
        if (tableOn && table) return event.type === "fleet:halt" ? undefined : table.update(event);
        const line = fleetLine(event, colors, options.verbose);
        return line === undefined ? undefined : err(line);
      }
      switch (event.type) {
        case "step:start":
          return err(`${colors.cyan("›")} ${event.message}`);
        case "step:finish":
          bars?.stop(event.step);
          return err(
            `${colors.green("✔")} ${event.message} ${colors.dim(`(${formatDuration(event.durationMs)})`)}`,
          );
        case "warning":
          return err(`${colors.yellow("⚠")} ${colors.yellow(event.message)}`);
        case "log":
          if (options.verbose) err(`${colors.dim(`  ${event.step} │`)} ${event.line}`);
          return;
        case "progress":
          return bars?.update(event);
      }
    },
    result(_command, _value, lines) {
      table?.stop();
      bars?.stopAll();
      for (const line of lines) io.stdout.write(`${line}\n`);
    },
    error(error) {
      table?.stop();
      bars?.stopAll();
      const view = errorView(error);
      err(`${colors.red("✖")} ${colors.bold(view.message)} ${colors.dim(`[${view.code}]`)}`);
      if (view.hint) err(`  ${colors.cyan("hint:")} ${view.hint}`);
      if (options.debug) err(colors.dim(stackTrace(error)));
    },
    close: () => {
      table?.stop();
      bars?.stopAll();
    },
  };
}
