import type { DeployEvent } from "@deploykit/core";
import type { FleetEvent } from "@deploykit/fleet";
import type { Colors } from "./colors";
import { formatDuration } from "./format";

/** Events of a fleet rollout: its own (`fleet:*`) and each host's, tagged with `host`. */
export const isFleetEvent = (event: DeployEvent | FleetEvent): event is FleetEvent =>
  event.type.startsWith("fleet:") || typeof (event as { host?: unknown }).host === "string";

/**
 * A fleet event as one stderr line (undefined: nothing to show): the plan, each batch, each
 * host's start, steps and outcome prefixed with its name, and a halt. Byte progress of many hosts
 * at once is not drawn as bars; the host's finish line says where it ended.
 */
export function fleetLine(event: FleetEvent, colors: Colors, verbose: boolean): string | undefined {
  switch (event.type) {
    case "fleet:plan":
      return `${colors.cyan("›")} Rollout: ${event.planned} hosts in ${event.batches.length} batches`;
    case "fleet:batch":
      return event.phase === "start"
        ? `${colors.cyan("›")} Batch ${event.batch}: ${event.hosts.join(", ")}`
        : undefined;
    case "fleet:host:start":
      return `${colors.cyan("›")} ${colors.bold(event.host)} ${event.action === "deploy" ? "deploying" : "rolling back"}`;
    case "fleet:host:finish": {
      const r = event.result;
      const took = colors.dim(`(${formatDuration(r.durationMs)})`);
      if (r.outcome === "failed") {
        return `${colors.red("✖")} ${colors.bold(r.host)} failed ${colors.dim(`[${r.errorCode}]`)} ${r.error?.message ?? ""} ${took}`;
      }
      return `${colors.green("✔")} ${colors.bold(r.host)} ${r.outcome} ${r.versionAfter ?? ""} ${took}`;
    }
    case "fleet:halt":
      return `${colors.yellow("⚠")} ${colors.yellow(event.message)}`;
    case "step:start":
      return verbose ? `  ${colors.dim(`${event.host} ›`)} ${event.message}` : undefined;
    case "step:finish":
      return verbose
        ? `  ${colors.dim(`${event.host} ✔`)} ${event.message} ${colors.dim(`(${formatDuration(event.durationMs)})`)}`
        : undefined;
    case "warning":
      return `${colors.yellow("⚠")} ${colors.bold(event.host)} ${colors.yellow(event.message)}`;
    case "log":
      return verbose ? `${colors.dim(`  ${event.host} ${event.step} │`)} ${event.line}` : undefined;
    default:
      return undefined;
  }
}
