/** What every event carries besides its own fields. */
export interface EventBase {
  /**
   * The host the event happened on, by its connection's name (`user@server:port`), for work on
   * a remote host; absent for this machine.
   */
  host?: string;
}

/** A long operation's step started. */
export interface StepStartEvent extends EventBase {
  type: "step:start";
  step: string;
  message: string;
}

/** A long operation's step finished. */
export interface StepFinishEvent extends EventBase {
  type: "step:finish";
  step: string;
  message: string;
  durationMs: number;
}

/** Bytes moved so far by a transfer (upload, download, pack). `total` is unknown for streams. */
export interface ProgressEvent extends EventBase {
  type: "progress";
  step: string;
  bytes: number;
  total?: number;
}

/** A line of output from a child process (a buildpack, dpkg, a restart command). */
export interface LogEvent extends EventBase {
  type: "log";
  step: string;
  stream: "stdout" | "stderr";
  line: string;
}

/** Something the user should know that did not stop the operation (a stale lock taken over...). */
export interface WarningEvent extends EventBase {
  type: "warning";
  step: string;
  message: string;
}

/** Every event deploykit emits through `onEvent`. Discriminated on `type`. */
export type DeployEvent = StepStartEvent | StepFinishEvent | ProgressEvent | LogEvent | WarningEvent;

/** The callback long operations take as `onEvent`. It must not throw. */
export type EventSink = (event: DeployEvent) => void;

/** Options every long operation accepts. */
export interface OperationOptions {
  /** Receives typed progress, log and step events. */
  onEvent?: EventSink;
  /** Cancels the operation; it stops between steps and cleans up what it started. */
  signal?: AbortSignal;
}

/**
 * Runs `work` as a named step: emits `step:start`, then `step:finish` with its duration when it
 * resolves. A rejection propagates without a finish event.
 */
export async function step<T>(
  onEvent: EventSink | undefined,
  name: string,
  message: string,
  work: () => Promise<T>,
): Promise<T> {
  const started = performance.now();
  onEvent?.({ type: "step:start", step: name, message });
  const result = await work();
  onEvent?.({
    type: "step:finish",
    step: name,
    message,
    durationMs: Math.round(performance.now() - started),
  });
  return result;
}
