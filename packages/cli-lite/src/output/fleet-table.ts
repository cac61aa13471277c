import type { FleetEvent } from "@deploykit/fleet";
import { MultiBar, type SingleBar } from "cli-progress";
import { formatBytes } from "./format";

interface Row {
  bar: SingleBar;
  payload: { host: string; batch: string; step: string; bytes: string; outcome: string };
}

/**
 * The live table of a rollout on a terminal: one row per host (batch, current step, bytes sent,
 * outcome), redrawn in place (cli-progress' MultiBar, at most 10 frames a second). Used when
 * stderr is a terminal tall enough for every host; otherwise the reporter writes lines.
 */
export class FleetTable {
  readonly #stream: NodeJS.WriteStream;
  readonly #rows = new Map<string, Row>();
  #multi: MultiBar | undefined;

  constructor(stream: NodeJS.WriteStream) {
    this.#stream = stream;
  }

  /** Whether the table fits `hosts` rows on the terminal (else the caller prints lines). */
  fits(hosts: number): boolean {
    return hosts + 2 <= (this.#stream.rows || 24); // 0 rows: a pty of unknown size
  }

  /** Starts the table at the plan, and updates a host's row on its events. */
  update(event: FleetEvent): void {
    if (event.type === "fleet:plan") {
      this.#multi = new MultiBar({
        stream: this.#stream,
        format: "  {host} │ {batch} │ {step} │ {bytes} │ {outcome}",
        hideCursor: true,
        fps: 10,
      });
      const width = Math.max(...event.batches.flatMap((b) => b.hosts.map((h) => h.length)));
      for (const { batch, hosts } of event.batches) {
        for (const host of hosts) {
          const payload = {
            host: host.padEnd(width),
            batch: `batch ${batch}`,
            step: "waiting".padEnd(12),
            bytes: "".padEnd(9),
            outcome: "",
          };
          this.#rows.set(host, { bar: this.#multi.create(1, 0, payload), payload });
        }
      }
      return;
    }
    if (!("host" in event)) return;
    const row = this.#rows.get(event.host);
    if (!row) return;
    const set = (changes: Partial<Row["payload"]>) => {
      Object.assign(row.payload, changes);
      row.bar.update(0, row.payload);
    };
    if (event.type === "fleet:host:start")
      set({ step: (event.action === "deploy" ? "starting" : "rolling back").padEnd(12) });
    else if (event.type === "step:start") set({ step: event.step.padEnd(12) });
    else if (event.type === "progress")
      // bytes sent to the host (upload), or fetched on this machine (download)
      set({ bytes: formatBytes(event.bytes).padEnd(9) });
    else if (event.type === "fleet:host:finish") {
      const r = event.result;
      set({
        step: "done".padEnd(12),
        outcome: `${r.outcome}${r.versionAfter ? ` ${r.versionAfter}` : ""}${r.errorCode ? ` [${r.errorCode}]` : ""}`,
      });
    }
  }

  /** Draws the last frame and leaves it on the terminal. */
  stop(): void {
    this.#multi?.stop();
    this.#multi = undefined;
  }
}
