import type { ProgressEvent } from "@deploykit/core";
import { SingleBar } from "cli-progress";
import { formatBytes } from "./format";

/** One progress bar per step with byte progress, drawn on a terminal stream. */
export class ProgressBars {
  readonly #stream: NodeJS.WriteStream;
  readonly #bars = new Map<string, SingleBar>();

  constructor(stream: NodeJS.WriteStream) {
    this.#stream = stream;
  }

  /** Draws (or starts) the bar of the event's step. */
  update(event: ProgressEvent): void {
    let bar = this.#bars.get(event.step);
    const payload = { step: event.step, done: formatBytes(event.bytes), size: formatBytes(event.total ?? 0) };
    if (!bar) {
      bar = new SingleBar({
        stream: this.#stream,
        format:
          event.total === undefined ? "  {step} {done}" : "  {step} [{bar}] {percentage}% {done} / {size}",
        barsize: 30,
        hideCursor: true,
        clearOnComplete: true,
        fps: 10,
      });
      bar.start(event.total ?? 0, event.bytes, payload);
      this.#bars.set(event.step, bar);
      return;
    }
    bar.update(event.bytes, payload);
  }

  /** Removes the step's bar, if it has one (called before the step's finish line is written). */
  stop(step: string): void {
    this.#bars.get(step)?.stop();
    this.#bars.delete(step);
  }

  /** Removes every bar. */
  stopAll(): void {
    for (const step of [...this.#bars.keys()]) this.stop(step);
  }
}
