import type { FleetResult, HostReleasesResult, HostResult, HostStatusResult } from "@deploykit/fleet";
import type { Outcome } from "./command";
import { formatDuration } from "./output/format";

const pad = (rows: string[][]) => {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length))) ?? [];
  return rows.map((r) => `  ${r.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join("  ")}`.trimEnd());
};

const versions = (h: HostResult) =>
  h.versionBefore === undefined && h.versionAfter === undefined
    ? "-"
    : `${h.versionBefore ?? "none"} -> ${h.versionAfter ?? "?"}`;

/** A rollout's per-host table and summary line; exit code 1 unless every host did what was asked. */
export function fleetOutcome(title: string, result: FleetResult): Outcome {
  const rows = result.hosts.map((h) => [
    h.host,
    `batch ${h.batch}`,
    h.outcome,
    versions(h),
    h.outcome === "skipped" ? "" : formatDuration(h.durationMs),
    h.errorCode
      ? `[${h.errorCode}] ${h.error?.message ?? ""}`
      : h.restored
        ? "restored its previous release"
        : "",
  ]);
  const s = result.summary;
  const halted = s.halted ? `; halted (${s.haltReason})` : "";
  return {
    value: result,
    exitCode: result.ok ? 0 : 1,
    lines: [
      ...pad(rows),
      `${title}: ${s.planned} planned, ${s.done} done, ${s.failed} failed, ${s.rolledBack} rolled back, ${s.skipped} skipped${halted} (${formatDuration(s.durationMs)}).`,
    ],
  };
}

/** `releases --inventory`: each host's live and installed versions. */
export function fleetReleasesOutcome(results: HostReleasesResult[]): Outcome {
  const rows = results.map((r) =>
    r.error
      ? [r.host, `[${r.error.code}] ${r.error.message}`]
      : [
          r.host,
          (r.releases?.releases ?? [])
            .map((x) => `${x.version}${x.live ? "*" : x.previous ? "-" : ""}`)
            .join(" ") || "(none)",
        ],
  );
  return {
    value: results,
    exitCode: results.some((r) => r.error) ? 1 : 0,
    lines: ["Installed (* live, - previous):", ...pad(rows)],
  };
}

/** `status --inventory`: one row per host. */
export function fleetStatusOutcome(results: HostStatusResult[]): Outcome {
  const rows = results.map((r) =>
    r.error
      ? [r.host, "?", "?", "?", `[${r.error.code}] ${r.error.message}`]
      : [
          r.host,
          `live ${r.live ?? "none"}`,
          `previous ${r.previous ?? "none"}`,
          r.lock?.held ? "lock HELD" : "lock free",
          r.processes ? (r.processes.running ? "up" : "DOWN") : "",
        ],
  );
  return { value: results, exitCode: results.some((r) => r.error) ? 1 : 0, lines: pad(rows) };
}
