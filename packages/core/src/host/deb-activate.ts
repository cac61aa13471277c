import { appendFile, mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { DeployKitError, isDeployKitError, throwIfAborted } from "../errors";
import { type OperationOptions, step } from "../events";
import type { ReleaseManifest } from "../manifest";
import type { ProcessRunner } from "../ports/process-runner";
import type { HostLayout } from "./layout";

/** Options of {@link activateDeb}. */
export interface ActivateDebOptions extends OperationOptions {
  /** The verified `.deb` on local disk (the cached copy, so rollback can reuse it). */
  artifactPath: string;
  /** The manifest the artifact was verified against; `app` is the package name, `version` its Version. */
  manifest: ReleaseManifest;
  /** The host root; dpkg's output is appended to `<root>/.deploykit/dpkg.log`. */
  layout: HostLayout;
  /** Runs `dpkg` and `dpkg-query`. */
  runner: ProcessRunner;
  /** How long to wait while another process (apt, unattended-upgrades) holds dpkg's lock. Default 120 000 ms. */
  lockTimeoutMs?: number;
}

/** What {@link activateDeb} installed. */
export interface ActivatedDeb {
  /** The package's app home (`APP_HOME` from `/etc/default/<app>`, else `/opt/<app>`). */
  dir: string;
}

/** Install without prompts: keep config files the admin changed, take new ones otherwise. */
const DPKG_ARGS = ["--install", "--force-confdef", "--force-confold"];
const DPKG_ENV = { DEBIAN_FRONTEND: "noninteractive", LC_ALL: "C" };

/** dpkg refused to start because another dpkg/apt holds its lock (nothing was changed). */
function isLockError(error: unknown): boolean {
  if (!isDeployKitError(error, "E_COMMAND_FAILED")) return false;
  const { stderr = "" } = error.details as { stderr?: string };
  return /locked by another process|unable to acquire the dpkg/i.test(stderr);
}

function dpkgMessage(error: DeployKitError): string {
  const { stderr = "", stdout = "" } = error.details as { stderr?: string; stdout?: string };
  const lines = `${stderr}\n${stdout}`.split("\n").filter((line) => line.trim() !== "");
  const own = lines.filter((line) => /^dpkg(-deb)?:|^ /.test(line));
  return (own.length > 0 ? own : lines).slice(-15).join("\n") || error.message;
}

function asDpkgError(error: unknown, manifest: ReleaseManifest, artifactPath: string): unknown {
  if (!isDeployKitError(error, "E_COMMAND_FAILED")) return error;
  const cause = (error.cause as { code?: string } | undefined)?.code;
  if (cause === "ENOENT") {
    return new DeployKitError("E_TOOL_MISSING", "dpkg is not installed on this host.", {
      cause: error,
      hint: "Install .deb releases on a Debian or Ubuntu host, or publish a .tgz.",
    });
  }
  return new DeployKitError(
    "E_DPKG",
    `dpkg could not install ${manifest.app} ${manifest.version}:\n${dpkgMessage(error)}`,
    {
      cause: error,
      hint: "Read dpkg's message above (a failing maintainer script, a missing dependency, not root?); `dpkg --audit` shows half-installed packages.",
      details: { artifactPath, app: manifest.app, version: manifest.version, ...error.details },
    },
  );
}

async function installedHome(app: string): Promise<string> {
  const defaults = await readFile(`/etc/default/${app}`, "utf8").catch(() => "");
  const match = /^APP_HOME='?([^'\n]+)'?$/m.exec(defaults);
  return match?.[1] ?? `/opt/${app}`;
}

/**
 * Installs a `.deb` release with the real `dpkg --install` (no prompts; changed config files
 * kept; waiting while apt or another dpkg holds the lock), streaming dpkg's output as `log`
 * events, then checks that dpkg reports exactly
 * `manifest.version` installed. An older version is installed the same way, which is how
 * `rollback()` reinstalls the cached previous `.deb` (dpkg downgrades in place).
 *
 * @throws {@link DeployKitError} `E_DPKG` with dpkg's own message when dpkg fails or installs
 * something else; `E_TOOL_MISSING` without dpkg; `E_ABORTED`.
 */
export async function activateDeb(options: ActivateDebOptions): Promise<ActivatedDeb> {
  const { artifactPath, manifest, layout, runner, onEvent, signal } = options;
  throwIfAborted(signal);
  await mkdir(layout.meta, { recursive: true });
  const transcript: string[] = [`# ${new Date().toISOString()} dpkg ${DPKG_ARGS.join(" ")} ${artifactPath}`];
  try {
    await step(onEvent, "dpkg", `Installing ${manifest.app} ${manifest.version} with dpkg`, async () => {
      const deadline = Date.now() + (options.lockTimeoutMs ?? 120_000);
      for (let attempt = 1; ; attempt++) {
        try {
          await runner.run("dpkg", [...DPKG_ARGS, artifactPath], {
            env: DPKG_ENV,
            signal,
            onLine: (stream, line) => {
              transcript.push(line);
              onEvent?.({ type: "log", step: "dpkg", stream, line });
            },
          });
          return;
        } catch (error) {
          if (!isLockError(error) || Date.now() >= deadline) throw error;
          onEvent?.({
            type: "warning",
            step: "dpkg",
            message: "dpkg is locked by another process (apt?); waiting for it.",
          });
          await delay(Math.min(250 * attempt, 2_000), undefined, { signal }).catch(() =>
            throwIfAborted(signal),
          );
        }
      }
    });
  } catch (error) {
    throw asDpkgError(error, manifest, artifactPath);
  } finally {
    await appendFile(join(layout.meta, "dpkg.log"), `${transcript.join("\n")}\n`);
  }
  const query = await runner
    .run("dpkg-query", ["--show", `--showformat=\${Status}\\t\${Version}`, manifest.app], {
      env: DPKG_ENV,
      signal,
    })
    .catch((error: unknown) => {
      throw asDpkgError(error, manifest, artifactPath);
    });
  const [status, version] = query.stdout.trim().split("\t");
  if (status !== "install ok installed" || version !== manifest.version) {
    throw new DeployKitError(
      "E_DPKG",
      `dpkg reports ${manifest.app} as "${status} ${version}" after installing ${artifactPath}, expected "install ok installed ${manifest.version}".`,
      {
        hint: "The .deb's Version field must equal the release manifest's version; rebuild and republish it with deploykit.",
        details: { artifactPath, app: manifest.app, expected: manifest.version, status, version },
      },
    );
  }
  return { dir: await installedHome(manifest.app) };
}
