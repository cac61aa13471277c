import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { EventSink, ProcessRunner } from "@deploykit/core";

const RUBY_SHEBANG = /^#!\S*ruby[^\n]*/;

/**
 * Points the wrappers in `bin` at `#!/usr/bin/env ruby`: `gem` writes this machine's interpreter
 * (`/usr/bin/ruby3.1`, or `ruby3.1` with `--env-shebang` on Debian), which the build machine may
 * not have; there the buildpack puts the vendored `ruby` on the PATH.
 */
async function portableShebangs(bin: string): Promise<void> {
  for (const name of await readdir(bin).catch(() => [] as string[])) {
    const path = join(bin, name);
    const text = await readFile(path, "utf8");
    if (RUBY_SHEBANG.test(text)) await writeFile(path, text.replace(RUBY_SHEBANG, "#!/usr/bin/env ruby"));
  }
}

/**
 * Installs a `.gem` file into `dest` with the real `gem install`: local file only, no
 * dependencies, no docs, executables in `dest/bin` (the manual recipe's `gem install -i`).
 * The wrappers' shebangs are then made portable (`#!/usr/bin/env ruby`).
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
  await portableShebangs(join(dest, "bin"));
}
