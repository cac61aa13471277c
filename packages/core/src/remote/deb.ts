import { join } from "node:path";
import { REMOTE_COMMANDS } from "../connection/remote-commands";
import { DeployKitError } from "../errors";
import { step } from "../events";
import type { HostPlan } from "../host/plan";
import type { ReleaseManifest } from "../manifest";

/** How long dpkg may wait for apt or another dpkg to let go of its lock, in s (1 try a second). */
const DPKG_LOCK_WAIT_S = 120;

/** The `Status:` and `Version:` fields of a `dpkg-query -s` record. */
function field(record: string, name: string): string | undefined {
  return new RegExp(`^${name}: (.*)$`, "m").exec(record)?.[1]?.trim();
}

/**
 * `activateDeb` on a remote host, in one round trip: the cached `.deb` installed with the
 * host's own `dpkg --install` (no prompts, changed config files kept, waiting while apt holds
 * the lock), its output appended to `.deploykit/dpkg.log` and sent back as `log` events; then
 * dpkg must report exactly `manifest.version` installed. dpkg needs root: connect as root or
 * with `sudo` (sshHost's `sudo: true`, CLI `--sudo`). An older version installs the same way,
 * which is how a rollback reinstalls the cached previous `.deb`.
 *
 * @returns the package's app home (`APP_HOME` of `/etc/default/<app>`, else `/opt/<app>`).
 * @throws {@link DeployKitError} `E_DPKG` with dpkg's own message, `E_TOOL_MISSING` without dpkg.
 */
export async function activateDebRemote(
  plan: HostPlan,
  manifest: ReleaseManifest,
  artifact: string,
): Promise<string> {
  const { host, layout, onEvent, signal } = plan;
  const { app, version } = manifest;
  return step(onEvent, "dpkg", `Installing ${app} ${version} with dpkg on ${host.name}`, async () => {
    const result = await host.exec(REMOTE_COMMANDS.dpkgInstall, {
      args: [artifact, app, join(layout.meta, "dpkg.log"), String(DPKG_LOCK_WAIT_S)],
      ...(signal ? { signal } : {}),
    });
    const [output = "", after = ""] = result.stdout.toString().split("\n@@deploykit\n");
    for (const line of output.split("\n").filter(Boolean))
      onEvent?.({ type: "log", step: "dpkg", stream: "stdout", line });
    const details = { host: host.name, app, version, artifact, exitCode: result.exitCode };
    if (result.exitCode === 8)
      throw new DeployKitError("E_TOOL_MISSING", `dpkg is not installed on ${host.name}.`, {
        hint: "Install .deb releases on Debian or Ubuntu servers, or publish a .tgz.",
        details,
      });
    if (result.exitCode !== 0) {
      const message = (output || result.stderr).trim().split("\n").slice(-15).join("\n");
      throw new DeployKitError(
        "E_DPKG",
        `dpkg could not install ${app} ${version} on ${host.name}:\n${message}`,
        {
          hint: /superuser|permission denied/i.test(message)
            ? "dpkg needs root: connect as root, or let deploykit use sudo (sshHost({ sudo: true }), CLI --sudo)."
            : "Read dpkg's message above (a failing maintainer script, a missing dependency?); `dpkg --audit` on the server shows half-installed packages.",
          details,
        },
      );
    }
    const status = field(after, "Status");
    const installed = field(after, "Version");
    if (status !== "install ok installed" || installed !== version) {
      throw new DeployKitError(
        "E_DPKG",
        `dpkg reports ${app} as "${status} ${installed}" on ${host.name} after installing ${artifact}, expected "install ok installed ${version}".`,
        {
          hint: "The .deb's Version field must equal the release manifest's version; rebuild and republish it with deploykit.",
          details: { ...details, status, installed },
        },
      );
    }
    const home = /^APP_HOME='?([^'\n]+?)'?$/m.exec(after)?.[1];
    return home ?? `/opt/${app}`;
  });
}
