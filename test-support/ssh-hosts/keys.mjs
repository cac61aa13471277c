// Throwaway keys and the client's files for the SSH test hosts: one client key pair, one ed25519
// host key per host, a known_hosts listing exactly those, and an ssh_config that checks them.
import { execFile } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** Makes an ed25519 key pair without a passphrase; resolves with the public key line. */
export async function makeKey(path, comment) {
  await run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", path]);
  return (await readFile(`${path}.pub`, "utf8")).trim();
}

/**
 * Writes `known_hosts` and `ssh_config` into `dir` for `hosts` ({ name, address, hostKey }).
 * Each host is reachable as `ssh -F <dir>/ssh_config <name>` (as root) with strict checking.
 */
export async function writeClientFiles(dir, identityFile, hosts) {
  const knownHosts = join(dir, "known_hosts");
  const sshConfig = join(dir, "ssh_config");
  const publicKey = (line) => line.split(" ").slice(0, 2).join(" ");
  await writeFile(knownHosts, hosts.map((h) => `${h.name},${h.address} ${publicKey(h.hostKey)}\n`).join(""));
  const common = [
    `  IdentityFile ${identityFile}`,
    "  IdentitiesOnly yes",
    `  UserKnownHostsFile ${knownHosts}`,
    "  GlobalKnownHostsFile /dev/null",
    "  StrictHostKeyChecking yes",
    "  BatchMode yes",
    "  ConnectTimeout 3",
    "  LogLevel ERROR",
  ];
  const blocks = hosts.map((h) =>
    [`Host ${h.name}`, `  HostName ${h.address}`, "  User root", ...common].join("\n"),
  );
  // Addresses too, so `ssh -F config root@198.18.213.x` checks the same known_hosts.
  blocks.push([`Host ${hosts.map((h) => h.address).join(" ")}`, ...common].join("\n"));
  await writeFile(sshConfig, `${blocks.join("\n\n")}\n`);
  return { knownHosts, sshConfig };
}
