import { DeployKitError } from "./errors";

/** How one Procfile process (or one-off command) is started on a host. */
export interface ProcessLaunch {
  /** The app folder: the process's working directory and its `HOME` (a release dir or `current`). */
  dir: string;
  /**
   * What to run: a Procfile line (run with `sh -c`, so pipes, `&&` and `$VARS` work) or a
   * program and its arguments (exec'd directly, so its pid is the launcher's pid).
   */
  command: string | readonly string[];
  /** Exported as `PORT` when set. */
  port?: number;
  /** The release's environment (config vars), exported before `.profile.d` runs. */
  env?: Record<string, string>;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Quotes a value for POSIX shells: `'...'`, with embedded `'` written as `'\''`. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * The part of {@link launchScript} before the command: `cd` into the app, `HOME`, `PORT` and the
 * release env exported, then every `<dir>/.profile.d/*.sh` sourced in lexical order (a glob,
 * which sh sorts). Throws `E_INVALID_INPUT` for an env name that is not a shell identifier.
 */
export function launchPrelude(launch: Omit<ProcessLaunch, "command">): string {
  const exports: [string, string][] = [["HOME", launch.dir]];
  if (launch.port !== undefined) exports.push(["PORT", String(launch.port)]);
  for (const [name, value] of Object.entries(launch.env ?? {})) {
    if (!NAME.test(name)) {
      throw new DeployKitError("E_INVALID_INPUT", `"${name}" is not a valid environment variable name.`, {
        hint: "Names are letters, digits and underscores, not starting with a digit.",
        details: { name },
      });
    }
    exports.push([name, value]);
  }
  return [
    `cd ${shellQuote(launch.dir)} || exit 1`,
    ...exports.map(([name, value]) => `${name}=${shellQuote(value)}; export ${name}`),
    `for dk_profile in "$HOME"/.profile.d/*.sh; do`,
    `  if [ -r "$dk_profile" ]; then . "$dk_profile"; fi`,
    "done",
    "unset dk_profile",
  ].join("\n");
}

/**
 * One definition of how a Procfile process starts on a host, the way Heroku starts a dyno:
 * in the app folder with `HOME` set to it, `PORT` and the release's env exported, every
 * `.profile.d/*.sh` sourced in lexical order (that is how buildpacks put their vendored
 * runtimes on `PATH`), then the command `exec`'d so signals reach it. Returns a POSIX `sh`
 * script (no bash-isms: it runs as is under dash and coreutils 8.13, e.g. on Ubuntu 12.04, over
 * SSH or locally); run it with `sh -c <script>`. A pure function: nothing is read or run.
 *
 * Every runtime strategy that starts a process, `run()` (one-off commands) and the `.deb`
 * wrapper build their command line here. Throws `E_INVALID_INPUT` for an invalid env name or
 * an empty command.
 *
 * @example
 * ```ts
 * const script = launchScript({ dir: "/srv/web/current", command: "bundle exec rackup -p $PORT", port: 3000 })
 * await runner.spawnDetached("sh", ["-c", script], { cwd: "/srv/web/current", logFile })
 * ```
 */
export function launchScript(launch: ProcessLaunch): string {
  const { command } = launch;
  if (typeof command === "string" ? command.trim() === "" : command.length === 0) {
    throw new DeployKitError("E_INVALID_INPUT", "The process has no command to run.", {
      hint: "Give a Procfile line or a program and its arguments.",
    });
  }
  const run =
    typeof command === "string"
      ? `exec sh -c ${shellQuote(command)}`
      : `exec ${command.map(shellQuote).join(" ")}`;
  return `${launchPrelude(launch)}\n${run}\n`;
}
