/** Where the CLI reads its environment from and writes its output to. Tests pass their own. */
export interface CliIo {
  /** Results (and, with `--json`, every event) go here. */
  stdout: NodeJS.WriteStream;
  /** Human event lines, progress bars and errors go here. */
  stderr: NodeJS.WriteStream;
  /** The working directory relative paths and the config file are resolved against. */
  cwd: string;
  /** Aborted on SIGINT / SIGTERM; long operations stop between steps and clean up. */
  signal?: AbortSignal;
  /** Where answers to questions (`deploy --inventory --confirm`) are read from; default `process.stdin`. */
  stdin?: NodeJS.ReadableStream;
  /** Where `DEPLOYKIT_*` overrides are read from; default `process.env`. */
  env?: NodeJS.ProcessEnv;
}

/** The process's own streams and working directory. */
export function processIo(signal?: AbortSignal): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd(), signal };
}
