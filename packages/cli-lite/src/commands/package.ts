import { resolve } from "node:path";
import { isDeployKitError } from "@deploykit/core";
import { buildPackage, parsePkgrArgs } from "@deploykit/pkgr";
import { saveBuiltPackage } from "../built-package";
import type { CommandSpec } from "../command";
import { buildFailure, prepareOutDir } from "../out-dir";
import { UsageError } from "../usage";

/**
 * The flags shown by `deploykit package --help` (the most used of pkgr's; every `pkgr package`
 * flag is accepted). Parsing is pkgr's own, through `parsePkgrArgs`.
 */
const args = {
  dir: { type: "positional", description: "The app directory (default .)", required: false },
  env: {
    type: "string",
    valueHint: "NAME=value …",
    description: "Build variables, passed as given (secrets among them are never printed)",
  },
  secret: {
    type: "string",
    valueHint: "NAME",
    description:
      "An --env var that is a secret (beyond names with TOKEN, SECRET, PASSWORD, KEY…); repeatable",
  },
  name: { type: "string", description: "App name (default: .pkgr.yml name, else the folder name)" },
  version: {
    type: "string",
    description: "Version (default: latest git tag without a leading v, else 0.0.0)",
  },
  iteration: { type: "string", description: "Revision (default: a %Y%m%d%H%M%S timestamp)" },
  user: { type: "string", description: "Runtime user (.deb)" },
  group: { type: "string", description: "Runtime group (.deb)" },
  buildpack: {
    type: "string",
    valueHint: "url[#ref],…",
    description: "Buildpack(s) (default: the app's .buildpacks)",
  },
  format: { type: "string", valueHint: "tgz|deb", description: "Artifact format (default tgz)" },
  "out-dir": { type: "string", valueHint: "dir", description: "Where the artifact is written (default .)" },
  "compile-cache-dir": {
    type: "string",
    valueHint: "dir",
    description: "Persistent CACHE_DIR for the buildpacks",
  },
} as const;

/** Words that are the CLI's own, not pkgr's: `--json` and `--config FILE`. */
function pkgrWords(rawArgs: string[]): string[] {
  const words: string[] = [];
  for (let i = 0; i < rawArgs.length; i++) {
    const word = rawArgs[i] as string;
    if (word === "--") {
      words.push(...rawArgs.slice(i));
      break;
    }
    if (word === "--json" || word.startsWith("--config=")) continue;
    if (word === "--config") {
      i++;
      continue;
    }
    words.push(word);
  }
  return words;
}

/**
 * `deploykit package [pkgr options] DIR` → `parsePkgrArgs()` + `buildPackage()`: pkgr's command
 * line, as the team runs it today (`--env "A=x" "B=" --name=... --buildpack=URL --verbose DIR`).
 */
export const packageCommand: CommandSpec<typeof args> = {
  name: "package",
  description:
    "Build like `pkgr package`: all of pkgr's flags and .pkgr.yml (deploykit package --help lists the main ones)",
  args,
  ownParser: true,
  async run({ rawArgs, io, onEvent, signal }) {
    let parsed: ReturnType<typeof parsePkgrArgs>;
    try {
      parsed = parsePkgrArgs(pkgrWords(rawArgs));
    } catch (error) {
      if (isDeployKitError(error, "E_INVALID_INPUT")) throw new UsageError(error.message, error.hint);
      throw error;
    }
    const { verbose: _verbose, debug: _debug, clean: _clean, edge: _edge, ...options } = parsed;
    const outDir = resolve(io.cwd, options.outDir ?? ".");
    const undo = await prepareOutDir(outDir);
    const pkg = await buildPackage({
      ...options,
      appDir: resolve(io.cwd, options.appDir),
      outDir,
      onEvent,
      signal,
    }).catch(async (error: unknown) => {
      await undo();
      throw buildFailure(error, outDir, signal);
    });
    return saveBuiltPackage(pkg);
  },
};
