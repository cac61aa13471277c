import { constants } from "node:fs";
import { access, stat } from "node:fs/promises";
import { delimiter, join } from "node:path";
import { DeployKitError } from "@deploykit/core";

/** Finds an external program by name; resolves to its path, or `undefined` when it is absent. */
export type ToolLookup = (name: string) => Promise<string | undefined>;

/** Debian packages that provide the tools vendoring runs, for the `E_TOOL_MISSING` hint. */
const PROVIDERS: Record<string, string> = {
  gem: "ruby",
  tar: "tar",
  bzip2: "bzip2",
  xz: "xz-utils",
  make: "make",
  autoreconf: "autoconf automake libtool",
};

/** The default {@link ToolLookup}: the first executable file called `name` on `$PATH`. */
export const findOnPath: ToolLookup = async (name) => {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    const isFile = (await stat(candidate).catch(() => undefined))?.isFile() ?? false;
    if (
      isFile &&
      (await access(candidate, constants.X_OK).then(
        () => true,
        () => false,
      ))
    )
      return candidate;
  }
  return undefined;
};

/**
 * Resolves a tool or fails naming it.
 *
 * @throws `DeployKitError` `E_TOOL_MISSING`
 */
export async function requireTool(lookup: ToolLookup, name: string, purpose: string): Promise<string> {
  const path = await lookup(name);
  if (path !== undefined) return path;
  const pkg = PROVIDERS[name];
  throw new DeployKitError("E_TOOL_MISSING", `\`${name}\` is not installed; it is needed to ${purpose}.`, {
    hint: pkg
      ? `Install it (Debian/Ubuntu: apt-get install ${pkg}) or put it on the PATH, then run the command again.`
      : `Install ${name} or put it on the PATH, then run the command again.`,
    details: { tool: name },
  });
}
