// Shared by the suites that ship a release to SSH test hosts (bench/remote, bench/fleet): the
// baseline tool, the deploy an ops team scripts by hand without deploykit. `scp` the artifact to
// the host, then one `ssh host 'mkdir -p DIR && tar -xzf FILE -C DIR'` (and, with `link`,
// `&& ln -sfn DIR LINK`, the switch). No checksum, no lock, no rollback: what any SSH deploy pays.
// Each command opens its own connection (a script has no ssh master), as such a script does.
import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

/**
 * Copies `file` (a local .tgz) to `host:/tmp/<tag>.tgz` and extracts it into `dir` there (then
 * points `link` at `dir` if given). `sshConfig` is the test hosts' ssh_config. Resolves when done;
 * rejects when scp or ssh exits non-zero.
 */
export async function scpTarDeploy({ sshConfig, host, file, dir, tag, link }) {
  const remoteFile = `/tmp/${tag}.tgz`;
  await run("scp", ["-q", "-F", sshConfig, file, `${host}:${remoteFile}`]);
  const switchTo = link ? ` && ln -sfn ${dir} ${link}` : "";
  await run("ssh", ["-F", sshConfig, host, `mkdir -p ${dir} && tar -xzf ${remoteFile} -C ${dir}${switchTo}`]);
}

/** Removes what `scpTarDeploy` left on the host: `dir`, the copied file and `link`. */
export async function scpTarClean({ sshConfig, host, dir, tag, link }) {
  await run("ssh", ["-F", sshConfig, host, `rm -rf ${dir} /tmp/${tag}.tgz ${link ?? ""}`]);
}
