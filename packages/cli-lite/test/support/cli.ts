import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { execa } from "execa";

/** The BUILT binary: these tests exercise what users run. */
export const CLI = fileURLToPath(new URL("../../dist/cli.js", import.meta.url));

if (!existsSync(CLI)) {
  throw new Error(`${CLI} is missing: run \`npx turbo run build --filter=@deploykit/cli-lite...\` first.`);
}

/** The test process's env without colour settings, so each test sets its own. */
export function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && key !== "NO_COLOR" && key !== "FORCE_COLOR") env[key] = value;
  }
  return { ...env, ...extra };
}

/** What one run of the CLI did. */
export interface CliRun {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs `node [nodeArgs] dist/cli.js ...args` as a child process with pipes (no TTY), as `uid` if given. */
export async function deploykit(
  args: string[],
  options: { cwd?: string; env?: Record<string, string>; nodeArgs?: string[]; uid?: number } = {},
): Promise<CliRun> {
  const result = await execa("node", [...(options.nodeArgs ?? []), CLI, ...args], {
    cwd: options.cwd,
    // As another user (root tests what a non-root operator meets); its group is the same id.
    ...(options.uid === undefined ? {} : { uid: options.uid, gid: options.uid }),
    env: options.env ?? cleanEnv(),
    extendEnv: false,
    reject: false,
    stripFinalNewline: false,
  });
  return { exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr) };
}

/** Parses `--json` output: every line must be one JSON object. */
export function jsonLines(stdout: string): Record<string, unknown>[] {
  return stdout
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

export { tempDir } from "../../../../test-support/temp-dir";

/** A rollout's `--json` result line, as `deploykit deploy --inventory` prints it last. */
export interface FleetRun {
  exitCode: number;
  stderr: string;
  /** Every NDJSON line (events, then the result). */
  lines: Record<string, unknown>[];
  hosts: { host: string; batch: number; outcome: string; versionAfter?: string; errorCode?: string }[];
  summary: Record<string, unknown>;
}

/** Runs `deploykit deploy --inventory <inventory> --store store --version <version> --json ...flags` in `cwd`. */
export async function fleetDeploy(
  cwd: string,
  inventory: string,
  version: string,
  flags: string[] = [],
): Promise<FleetRun> {
  const run = await deploykit(
    ["deploy", "--inventory", inventory, "--store", "store", "--version", version, "--json", ...flags],
    { cwd },
  );
  const lines = jsonLines(run.stdout);
  const last = lines.at(-1) as { result?: Pick<FleetRun, "hosts" | "summary"> } | undefined;
  if (!last?.result)
    throw new Error(`no rollout result (exit ${run.exitCode}): ${run.stdout.slice(-2000)}${run.stderr}`);
  return { exitCode: run.exitCode, stderr: run.stderr, lines, ...last.result };
}
