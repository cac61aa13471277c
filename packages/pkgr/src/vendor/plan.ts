import { stat } from "node:fs/promises";
import { resolve } from "node:path";
import { DeployKitError } from "@deploykit/core";
import {
  ARCHIVE_SUFFIXES,
  type ArchiveCompression,
  archiveCompression,
  requireArchiveTools,
} from "./archive";
import { renderVendorKey, resolveVendorLayout } from "./layout";
import { findOnPath, requireTool } from "./tools";
import { VENDOR_KINDS, type VendorOptions } from "./types";

/** Where the runtime comes from, with the tools that read it already located. */
export type VendorSource =
  | { type: "directory"; path: string }
  | { type: "archive"; path: string; compression: ArchiveCompression; tar: string }
  | { type: "gem"; path: string; gem: string }
  | {
      type: "build";
      path: string;
      archive?: { compression: ArchiveCompression; tar: string };
      make: string;
      /** `autoreconf` when installed: run for a tree with `configure.ac` but no `configure`. */
      autoreconf?: string;
    };

/** Everything {@link vendorRuntime} checked before touching the disk or the store. */
export interface VendorPlan {
  key: string;
  stack: string;
  source: VendorSource;
}

const invalid = (message: string, hint: string, details: Record<string, unknown> = {}) =>
  new DeployKitError("E_INVALID_INPUT", message, { hint, details });

async function inputKind(path: string): Promise<"file" | "directory"> {
  const info = await stat(path).catch((error) => {
    throw new DeployKitError("E_NOT_FOUND", `${path} does not exist.`, {
      cause: error,
      hint: "Check the path given to --from or --build.",
      details: { path },
    });
  });
  return info.isDirectory() ? "directory" : "file";
}

const unsupported = (path: string, accepted: string) =>
  new DeployKitError("E_UNSUPPORTED_FORMAT", `${path} is not an input vendoring understands.`, {
    hint: `Pass ${accepted}.`,
    details: { path },
  });

/**
 * Checks the options and locates the tools the input needs, so that bad input (or a missing
 * `gem`, `tar`, `make`) fails before anything is written.
 *
 * @throws `DeployKitError` `E_INVALID_INPUT`, `E_NOT_FOUND`, `E_UNSUPPORTED_FORMAT`, `E_TOOL_MISSING`
 */
export async function planVendor(options: VendorOptions): Promise<VendorPlan> {
  const { kind, version } = options;
  if (!VENDOR_KINDS.includes(kind)) {
    throw invalid(`"${kind}" is not a runtime vendoring knows.`, `Use one of: ${VENDOR_KINDS.join(", ")}.`, {
      kind,
    });
  }
  if ((options.from === undefined) === (options.build === undefined)) {
    throw invalid(
      "Give exactly one input: `from` (a prebuilt archive, directory or .gem) or `build` (a source tree to compile).",
      "Pass either --from (a prebuilt runtime) or --build (a source tarball), exactly one of them.",
    );
  }
  const stack = options.stack ?? "";
  const layout = resolveVendorLayout(options.layout);
  const key = renderVendorKey(layout[kind], { version, stack });
  const lookup = options.findTool ?? findOnPath;
  const archives = `an archive (${ARCHIVE_SUFFIXES.join(", ")})`;

  if (options.build !== undefined) {
    const path = resolve(options.build);
    const make = await requireTool(lookup, "make", `build ${kind} from source`);
    const autoreconf = await lookup("autoreconf");
    const tools = { make, ...(autoreconf ? { autoreconf } : {}) };
    if ((await inputKind(path)) === "directory")
      return { key, stack, source: { type: "build", path, ...tools } };
    const compression = archiveCompression(path);
    if (!compression) throw unsupported(path, `a source ${archives} or a source directory`);
    const tar = await requireArchiveTools(lookup, compression);
    return { key, stack, source: { type: "build", path, archive: { compression, tar }, ...tools } };
  }

  const path = resolve(options.from as string);
  if ((await inputKind(path)) === "directory") return { key, stack, source: { type: "directory", path } };
  if (path.toLowerCase().endsWith(".gem")) {
    const gem = await requireTool(lookup, "gem", `install ${path}`);
    return { key, stack, source: { type: "gem", path, gem } };
  }
  const compression = archiveCompression(path);
  if (!compression) throw unsupported(path, `${archives}, a directory or a .gem`);
  const tar = await requireArchiveTools(lookup, compression);
  return { key, stack, source: { type: "archive", path, compression, tar } };
}
