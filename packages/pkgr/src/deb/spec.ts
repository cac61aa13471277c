import { stat } from "node:fs/promises";
import { resolve } from "node:path";
import { assertAppName, assertVersion, DeployKitError } from "@deploykit/core";
import { reproducibleMtime } from "../reproducible-mtime";
import { assertLevel, DEFAULT_LEVEL } from "./compress";
import type { DebOptions, MaintainerHooks } from "./options";
import { type ResolvedTarget, resolveTarget } from "./targets";

/** Every setting of a package after defaults and validation. */
export interface DebSpec extends ResolvedTarget {
  appDir: string;
  outDir: string;
  name: string;
  debVersion: string;
  architecture: string;
  maintainer: string;
  synopsis: string;
  extended: string;
  homepage?: string;
  license: string;
  copyright: string;
  section: string;
  depends: string[];
  home: string;
  user: string;
  group: string;
  processes: [string, string][];
  /** The process types that get a service, sorted (a subset of `processes`). */
  services: string[];
  level: number;
  env: [string, string][];
  hooks: MaintainerHooks;
  restartOnUpgrade: boolean;
  changes: string;
  mtime: number;
  exclude?: (relativePath: string, isDir: boolean) => boolean;
  logrotate: { frequency: "daily" | "weekly" | "monthly"; backlog: number };
}

const ARCHES: Record<string, string> = {
  x64: "amd64",
  arm64: "arm64",
  ia32: "i386",
  arm: "armhf",
  ppc64: "ppc64el",
  s390x: "s390x",
};
const SYSTEM_DIRS = new Set([
  "bin",
  "boot",
  "dev",
  "etc",
  "lib",
  "lib64",
  "proc",
  "root",
  "run",
  "sbin",
  "sys",
  "usr",
  "var",
]);

const SHARED_PARENTS = ["usr/lib", "usr/local", "usr/share", "var/lib", "var/www"];

/** A home the postrm may `rm -rf` on purge: never `/`, a system directory, or a shared parent. */
function isSafeHome(home: string): boolean {
  if (!/^(\/[A-Za-z0-9._+-]+)+$/.test(home)) return false;
  const parts = home.slice(1).split("/");
  if (parts.some((p) => p === "." || p === "..") || parts.length < 2) return false;
  const parent = parts.slice(0, 2).join("/");
  if (SHARED_PARENTS.includes(parent)) return parts.length >= 3;
  return !SYSTEM_DIRS.has(parts[0] as string);
}

function invalid(what: string, value: unknown, hint: string): DeployKitError {
  return new DeployKitError("E_INVALID_INPUT", `Invalid ${what}: ${JSON.stringify(value)}.`, {
    hint,
    details: { [what]: value },
  });
}

function check(ok: boolean, what: string, value: unknown, hint: string): void {
  if (!ok) throw invalid(what, value, hint);
}

const ONE_LINE = /^[^\n\r]*$/;

function epochFrom(options: DebOptions): number {
  const value = options.sourceDateEpoch ?? Math.floor(reproducibleMtime().getTime() / 1000);
  check(
    Number.isInteger(value) && value >= 0 && value < 8 ** 11,
    "sourceDateEpoch",
    value,
    "Use whole seconds since 1970.",
  );
  return value;
}

function describe(options: DebOptions, name: string, home: string, services: string[]): [string, string] {
  const [first = "", ...rest] = (options.description ?? "").trim().split("\n");
  const synopsis = first.trim() || "Application packaged by deploykit";
  check(
    synopsis.length <= 80,
    "description",
    synopsis,
    "Keep the first line (the synopsis) under 80 characters.",
  );
  const names = services.join(", ");
  const extended =
    rest.join("\n").trim() ||
    `This package installs the ${name} application with its runtime and dependencies in ${home}. ` +
      (names ? `It runs these processes as services: ${names}.` : "It defines no processes.");
  return [synopsis, extended];
}

/**
 * Validates the options and fills in every default. Nothing is written before this passes.
 *
 * @throws `DeployKitError` `E_INVALID_NAME`, `E_INVALID_VERSION` or `E_INVALID_INPUT`.
 */
export async function resolveDebSpec(options: DebOptions): Promise<DebSpec> {
  const { name } = options;
  assertAppName(name);
  if (options.iteration !== undefined) {
    check(
      /^[A-Za-z0-9.+~]+$/.test(options.iteration),
      "iteration",
      options.iteration,
      "Use letters, digits and . + ~ only.",
    );
  }
  const debVersion = options.iteration ? `${options.version}-${options.iteration}` : options.version;
  assertVersion(debVersion);
  const architecture = options.architecture ?? ARCHES[process.arch] ?? process.arch;
  check(
    /^[a-z0-9][a-z0-9-]*$/.test(architecture),
    "architecture",
    architecture,
    "Use a Debian architecture such as amd64 or all.",
  );
  const maintainer = options.maintainer ?? "deploykit <deploykit@example.invalid>";
  check(
    /^[^<>\n]+ <[^<>@\s]+@[^<>@\s]+\.[^<>@\s]+>$/.test(maintainer),
    "maintainer",
    maintainer,
    'Use "Full Name <user@example.com>".',
  );
  const home = options.home ?? `/opt/${name}`;
  check(
    isSafeHome(home),
    "home",
    home,
    "Use an absolute path at least two levels deep outside system directories, e.g. /opt/<name>, /srv/<name> or /var/lib/<name>.",
  );
  const user = options.user ?? name;
  const group = options.group ?? user;
  for (const [what, value] of [
    ["user", user],
    ["group", group],
  ] as const) {
    check(
      /^[a-z_][a-z0-9_-]{0,31}$/.test(value),
      what,
      value,
      "Use a system account name: lowercase letters, digits, _ and -.",
    );
  }
  const processes = Object.entries(options.processes ?? {}).sort(([a], [b]) => (a < b ? -1 : 1));
  for (const [type, command] of processes) {
    check(
      /^[A-Za-z0-9_-]+$/.test(type),
      "process type",
      type,
      "Procfile process types match [A-Za-z0-9_-]+.",
    );
    check(
      ONE_LINE.test(command) && command.trim() !== "",
      "process command",
      command,
      "A Procfile command is one non-empty line.",
    );
  }
  const env = Object.entries({ PORT: "6000", ...options.env }).sort(([a], [b]) => (a < b ? -1 : 1));
  for (const [key, value] of env) {
    check(
      /^[A-Za-z_][A-Za-z0-9_]*$/.test(key),
      "env name",
      key,
      "Environment names match [A-Za-z_][A-Za-z0-9_]*.",
    );
    check(ONE_LINE.test(value), "env value", key, "Environment values in /etc/default are one line.");
  }
  const depends = [...(options.depends ?? [])];
  for (const dep of depends) {
    check(
      /^[a-z0-9][a-z0-9+.-]+(:[a-z0-9-]+)?( \([<>=]{1,2} ?[A-Za-z0-9.+~:-]+\))?( \| .+)?$/.test(dep),
      "depends",
      dep,
      "One package relation per entry, e.g. libpq5 or ruby (>= 2.0).",
    );
  }
  const section = options.section ?? "misc";
  check(/^[a-z0-9/-]+$/.test(section), "section", section, "Use a Debian section such as misc, web or net.");
  if (options.homepage !== undefined) {
    check(/^https?:\/\/\S+$/.test(options.homepage), "homepage", options.homepage, "Use an http(s) URL.");
  }
  for (const [what, value] of [
    ["license", options.license],
    ["copyright", options.copyright],
  ] as const) {
    if (value !== undefined)
      check(ONE_LINE.test(value) && value.trim() !== "", what, value, "Use one line of text.");
  }
  const logrotate = {
    frequency: options.logrotate?.frequency ?? "daily",
    backlog: options.logrotate?.backlog ?? 7,
  };
  check(
    ["daily", "weekly", "monthly"].includes(logrotate.frequency),
    "logrotate frequency",
    logrotate.frequency,
    "Use daily, weekly or monthly.",
  );
  check(
    Number.isInteger(logrotate.backlog) && logrotate.backlog >= 0,
    "logrotate backlog",
    logrotate.backlog,
    "Use a whole number of rotated logs to keep.",
  );
  const target = resolveTarget(options.target, options.init, options.compression);
  const level = options.compressionLevel ?? DEFAULT_LEVEL[target.compression];
  assertLevel(target.compression, level);
  const appDir = resolve(options.appDir);
  const appStat = await stat(appDir).catch(() => undefined);
  check(appStat?.isDirectory() === true, "appDir", appDir, "Point appDir at the built app directory.");
  const services = (options.services ?? processes.map(([type]) => type))
    .filter((type) => processes.some(([known]) => known === type))
    .sort();
  const [synopsis, extended] = describe(options, name, home, services);
  return {
    ...target,
    appDir,
    outDir: resolve(options.outDir),
    name,
    debVersion,
    architecture,
    maintainer,
    synopsis,
    extended,
    homepage: options.homepage,
    license: options.license ?? "proprietary",
    copyright: options.copyright ?? maintainer,
    section,
    depends,
    home,
    user,
    group,
    processes,
    services,
    level,
    env,
    hooks: options.hooks ?? {},
    restartOnUpgrade: options.restartOnUpgrade ?? false,
    changes: options.changes?.trim() || `Release ${debVersion} built by deploykit.`,
    mtime: epochFrom(options),
    exclude: options.exclude,
    logrotate,
  };
}
