import type { EventSink, ProcessRunner } from "@deploykit/core";

/**
 * Installs a `.gem` file into `dest` with the real `gem install`: local file only, no
 * dependencies, no docs, executables in `dest/bin` (the manual recipe's `gem install -i`).
 */
export async function installGem(
  runner: ProcessRunner,
  gem: string,
  file: string,
  dest: string,
  onEvent: EventSink | undefined,
  signal: AbortSignal | undefined,
): Promise<void> {
  const args = [
    "install",
    "--local",
    "--ignore-dependencies",
    "--no-document",
    "--install-dir",
    dest,
    "--bindir",
    `${dest}/bin`,
    file,
  ];
  await runner.run(gem, args, {
    env: { GEM_HOME: dest, GEM_PATH: dest },
    onLine: (stream, line) => onEvent?.({ type: "log", step: "install", stream, line }),
    signal,
  });
}
