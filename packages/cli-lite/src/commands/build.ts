import { resolve } from "node:path";
import { buildPackage } from "@deploykit/pkgr";
import { saveBuiltPackage } from "../built-package";
import type { CommandSpec } from "../command";
import { buildFailure, prepareOutDir } from "../out-dir";
import { UsageError } from "../usage";

const args = {
  appDir: { type: "positional", description: "The app's source directory", required: false, default: "." },
  name: {
    type: "string",
    description: "App name (config: app; default: .pkgr.yml name, else the folder name)",
  },
  version: {
    type: "string",
    description: "Version (default: the latest git tag without a leading v, else 0.0.0)",
  },
  iteration: { type: "string", description: "Debian revision appended as <version>-<iteration>" },
  format: {
    type: "string",
    valueHint: "tgz|deb",
    description: "Artifact format (config: format; default tgz)",
  },
  "out-dir": {
    type: "string",
    valueHint: "dir",
    description: "Where the artifact is written (config: outDir; default .)",
  },
  buildpack: {
    type: "string",
    valueHint: "url[#ref],…",
    description: "Buildpacks, comma-separated (config: buildpacks; default: the app's .buildpacks)",
  },
  stack: { type: "string", description: "STACK for the buildpacks (config: stack)" },
  "buildpack-vendor-url": {
    type: "string",
    valueHint: "url",
    description: "BUILDPACK_VENDOR_URL for the buildpacks (config: buildpackVendorUrl)",
  },
  "compile-cache-dir": {
    type: "string",
    valueHint: "dir",
    description: "Persistent CACHE_DIR (config: compileCacheDir)",
  },
} as const;

/** `deploykit build [DIR]` → `buildPackage()`; build secrets (`--env`) go through `deploykit package`. */
export const buildCommand: CommandSpec<typeof args> = {
  name: "build",
  description: "Build an app directory into a .tgz (or .deb) with its manifest, through buildpacks if any",
  args,
  async run({ args, settings, io, onEvent, signal }) {
    const format = settings.string("format");
    if (format !== undefined && format !== "tgz" && format !== "deb") {
      throw new UsageError(`--format must be tgz or deb, not "${format}".`);
    }
    const outDir = resolve(settings.baseDir("outDir", io.cwd), settings.string("outDir") ?? ".");
    const optional = {
      name: settings.flag("name") ?? settings.string("app"),
      version: settings.version(),
      iteration: settings.flag("iteration"),
      format,
      outDir,
      buildpacks: settings.list("buildpacks", "buildpack"),
      stack: settings.string("stack"),
      buildpackVendorUrl: settings.string("buildpackVendorUrl"),
      compileCacheDir: settings.string("compileCacheDir"),
    };
    const undo = await prepareOutDir(outDir);
    const pkg = await buildPackage({
      appDir: resolve(io.cwd, args.appDir),
      ...Object.fromEntries(Object.entries(optional).filter(([, v]) => v !== undefined)),
      onEvent,
      signal,
    }).catch(async (error: unknown) => {
      await undo();
      throw buildFailure(error, outDir, signal);
    });
    return saveBuiltPackage(pkg);
  },
};
