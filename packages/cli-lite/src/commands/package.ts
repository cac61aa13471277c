import { resolve } from "node:path";
import { isDeployKitError } from "@deploykit/core";
import { buildPackage, parsePkgrArgs } from "@deploykit/pkgr";
import { saveBuiltPackage } from "../built-package";
import type { CommandSpec } from "../command";
import { UsageError } from "../usage";

/** The words pkgr does not know: the CLI's own output flag. */
const CLI_ONLY = new Set(["--json"]);

/**
 * `deploykit package [pkgr options] DIR` → `parsePkgrArgs()` + `buildPackage()`: pkgr's command
 * line, as the team runs it today (`--env "A=x" "B=" --name=... --buildpack=URL --verbose DIR`).
 */
export const packageCommand: CommandSpec<Record<never, never>> = {
  name: "package",
  description:
    'pkgr-compatible build: `deploykit package --env "K=v"… --name=app --buildpack=URL --verbose DIR` (pkgr\'s flags and .pkgr.yml)',
  args: {},
  ownParser: true,
  async run({ rawArgs, io, onEvent, signal }) {
    let parsed: ReturnType<typeof parsePkgrArgs>;
    try {
      parsed = parsePkgrArgs(rawArgs.filter((word) => !CLI_ONLY.has(word)));
    } catch (error) {
      if (isDeployKitError(error, "E_INVALID_INPUT")) throw new UsageError(error.message, error.hint);
      throw error;
    }
    const { verbose: _verbose, debug: _debug, clean: _clean, edge: _edge, ...options } = parsed;
    const pkg = await buildPackage({
      ...options,
      appDir: resolve(io.cwd, options.appDir),
      outDir: resolve(io.cwd, options.outDir ?? "."),
      onEvent,
      signal,
    });
    return saveBuiltPackage(pkg);
  },
};
