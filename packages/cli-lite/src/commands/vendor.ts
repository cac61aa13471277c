import { resolve } from "node:path";
import { DeployKitError } from "@deploykit/core";
import {
  listVendored,
  VENDOR_KINDS,
  type VendorKind,
  type VendorLayout,
  vendorRuntime,
} from "@deploykit/pkgr";
import { storeArgs } from "../args";
import type { CommandSpec } from "../command";
import { formatBytes } from "../output/format";
import type { Settings } from "../settings";
import { openStore } from "../store";
import { signKeyArgs, signKeyFromSettings } from "../trust";
import { UsageError } from "../usage";

const args = {
  kind: { type: "positional", description: `${VENDOR_KINDS.join("|")}, or list`, required: true },
  version: { type: "positional", description: "The runtime's version (not for list)", required: false },
  from: {
    type: "string",
    valueHint: "archive|dir|gem",
    description: "A prebuilt runtime: .tar.gz/.tgz/.tar.bz2/.tar.xz, a directory or a .gem",
  },
  build: {
    type: "string",
    valueHint: "source",
    description: "A source tree (archive or directory) to configure, make, make install",
  },
  "configure-args": {
    type: "string",
    description: "Extra ./configure arguments, space-separated (with --build)",
  },
  "make-args": {
    type: "string",
    description: "Extra make arguments, space-separated (with --build), e.g. -j2",
  },
  stack: {
    type: "string",
    description: "The buildpack's STACK, e.g. cedar-14 (config: stack; default empty)",
  },
  "vendor-url": {
    type: "string",
    valueHint: "url",
    description: "Public URL the buildpack downloads from, if not the store's own (config: vendorUrl)",
  },
  ...signKeyArgs,
  ...storeArgs,
} as const;

const words = (text: string | undefined) => text?.split(/\s+/).filter(Boolean);

/** The config's `layout`: key templates per kind, for forks of the buildpack. */
function layoutFromSettings(settings: Settings): Partial<VendorLayout> | undefined {
  const layout = settings.config("layout");
  if (layout === undefined) return undefined;
  const ok =
    layout !== null &&
    typeof layout === "object" &&
    Object.entries(layout).every(([k, v]) => VENDOR_KINDS.includes(k as VendorKind) && typeof v === "string");
  if (!ok) {
    throw new DeployKitError(
      "E_INVALID_INPUT",
      `${settings.configPath}: layout must map ${VENDOR_KINDS.join("/")} to key templates.`,
      {
        hint: 'e.g. layout: { ruby: "{stack}/ruby-{version}.tgz" }',
      },
    );
  }
  return layout as Partial<VendorLayout>;
}

/** `deploykit vendor <kind> <version>` → `vendorRuntime()`; `deploykit vendor list` → `listVendored()`. */
export const vendorCommand: CommandSpec<typeof args> = {
  name: "vendor",
  description:
    "Package ruby, bundler or libyaml for BUILDPACK_VENDOR_URL and upload it to the store; or list them",
  args,
  async run({ args, settings, io, onEvent, signal }) {
    const layout = layoutFromSettings(settings);
    if (args.kind === "list") {
      if (args.version !== undefined) throw new UsageError("`deploykit vendor list` takes no version.");
      const store = await openStore(settings, io.cwd, onEvent, { mustExist: true });
      const entries = await listVendored(store, layout ? { layout } : {});
      return {
        value: { location: store.location, entries },
        lines: entries.length
          ? entries.map(
              (e) =>
                `${e.kind.padEnd(8)}${e.version.padEnd(12)}${(e.stack || "-").padEnd(12)}${e.key}  ${formatBytes(e.size)}`,
            )
          : [`No vendored runtimes in ${store.location}.`],
      };
    }
    if (!VENDOR_KINDS.includes(args.kind as VendorKind)) {
      throw new UsageError(`Unknown kind "${args.kind}".`, `Use one of: ${VENDOR_KINDS.join(", ")}, list.`);
    }
    if (args.version === undefined)
      throw new UsageError(`\`deploykit vendor ${args.kind}\` needs a VERSION.`);
    const from = settings.flag("from");
    const build = settings.flag("build");
    const signKey = await signKeyFromSettings(settings, io.cwd);
    const store = await openStore(settings, io.cwd, onEvent);
    const stack = settings.string("stack");
    const vendorUrl = settings.string("vendorUrl");
    const configureArgs = words(settings.flag("configureArgs"));
    const makeArgs = words(settings.flag("makeArgs"));
    const result = await vendorRuntime({
      kind: args.kind as VendorKind,
      version: args.version,
      ...(from !== undefined ? { from: resolve(io.cwd, from) } : {}),
      ...(build !== undefined ? { build: resolve(io.cwd, build) } : {}),
      ...(configureArgs ? { configureArgs } : {}),
      ...(makeArgs ? { makeArgs } : {}),
      ...(stack !== undefined ? { stack } : {}),
      ...(vendorUrl !== undefined ? { vendorUrl } : {}),
      ...(layout ? { layout } : {}),
      ...(signKey ? { signKey } : {}),
      store,
      onEvent,
      signal,
    });
    const { env } = result;
    const envWords = [
      ...(env.BUILDPACK_VENDOR_URL ? [`"BUILDPACK_VENDOR_URL=${env.BUILDPACK_VENDOR_URL}"`] : []),
      `"STACK=${env.STACK}"`,
    ];
    return {
      value: result,
      lines: [
        `${result.unchanged ? "Already vendored (unchanged)" : "Vendored"} ${result.kind} ${result.version}: ${result.url ?? `${result.location} ${result.key}`} (${formatBytes(result.size)}, sha256 ${result.sha256.slice(0, 12)}…)`,
        ...(env.BUILDPACK_VENDOR_URL ? [`BUILDPACK_VENDOR_URL=${env.BUILDPACK_VENDOR_URL}`] : []),
        `STACK=${env.STACK}`,
        ...(result.signatureKey
          ? [`Signed: ${result.signatureKey} (minisign -Vm; buildpacks fetch with curl and do not check it).`]
          : []),
        `Build with: deploykit package --env ${envWords.join(" ")} ... DIR`,
      ],
    };
  },
};
