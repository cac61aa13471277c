/**
 * Test utilities for deploykit's remote hosts (repo-internal, not published).
 *
 * `startTestHosts()` boots real servers: systemd-nspawn containers over a cached minimal Debian
 * root filesystem (`mmdebstrap --variant=minbase`: sh, coreutils, tar, gzip, dpkg, perl, sshd,
 * sudo; no node, ruby or python), each with systemd as PID 1, its own sshd with an ed25519 host
 * key, its own hostname and network namespace (one /30 of 198.18.213.0/24, behind a guard route),
 * a copy-on-write overlay as its disk, and its own cgroup. The client side gets a throwaway key,
 * a `known_hosts` with exactly the hosts' keys and an `ssh_config` with
 * `StrictHostKeyChecking yes` and `BatchMode yes`.
 *
 * Tools come from `scripts/test-hosts.sh` (systemd-nspawn extracted from the systemd-container
 * package matching this machine's systemd; the template built once and cached in
 * `/var/cache/deploykit-test-hosts`, or `$DEPLOYKIT_TEST_HOSTS_CACHE`). Needs root and the
 * packages of `scripts/system-deps.sh`. `stop()` removes everything (processes, cgroups, mounts,
 * namespaces, routes, files); a process exit handler does the same, and the next start reaps
 * hosts left by a test process that was killed.
 *
 * @example
 * ```ts
 * import { startTestHosts } from "../../../test-support/ssh-hosts/index.mjs"
 * let hosts: TestHosts
 * beforeAll(async () => { hosts = await startTestHosts({ hosts: ["bare"] }) }, 300_000)
 * afterAll(() => hosts?.stop())
 * // ssh -F hosts.sshConfig bare ...   or   sshHost({ host: "bare", sshConfig: hosts.sshConfig })
 * ```
 */

/** What a command run with {@link TestHost.ssh} returned. */
export interface SshResult {
  /** ssh's exit code: the command's, or 255 for a connection failure. */
  code: number | null;
  stdout: string;
  stderr: string;
}

/** One running test host. */
export interface TestHost {
  /** Host name inside the container, and its `Host` alias in {@link TestHosts.sshConfig}. */
  name: string;
  /** The container's address (198.18.213.4n+2); sshd listens on it, port 22. */
  address: string;
  /**
   * This machine's end of the host's link (198.18.213.4n+1): the one address of this machine the
   * host can reach, e.g. for a server a test starts for the host to download from.
   */
  controlAddress: string;
  port: number;
  /** `root`; the user `deploy` (password-less sudo) accepts the same key. */
  user: string;
  /** The host's public ed25519 host key line. */
  hostKey: string;
  /** The client's private key, `known_hosts` and `ssh_config` (shared by all hosts of one start). */
  identityFile: string;
  knownHosts: string;
  sshConfig: string;
  /** systemd-nspawn machine name (`dkth<slot>`), also its network namespace's name. */
  machine: string;
  /** This host's directory on the control machine; `upper` is its overlay's upper dir (changed files). */
  dir: string;
  upper: string;
  /** Runs a shell command on the host over a fresh (not multiplexed) ssh: for test assertions. */
  ssh(command: string, input?: string | Buffer): Promise<SshResult>;
  /** Takes the host's network link down (`false`) or up (`true`): a cut cable. */
  setLink(up: boolean): Promise<unknown>;
}

/** Hosts started together. */
export interface TestHosts {
  hosts: TestHost[];
  /** The host named `name`; throws when there is none. */
  host(name: string): TestHost;
  /** The client-side directory (keys, known_hosts, ssh_config). */
  dir: string;
  identityFile: string;
  knownHosts: string;
  sshConfig: string;
  /** ms spent getting nspawn + the template (0.1 s cached; 30-140 s building), and booting to ssh-ready. */
  timings: { toolsMs: number; readyMs: number };
  /** Stops the hosts and removes all they used. */
  stop(): Promise<void>;
}

/** Options for {@link startTestHosts}. */
export interface StartTestHostsOptions {
  /** Host names, one container each. Default `["bare"]`. */
  hosts?: string[];
  /** ms to wait for every host's sshd after boot starts. Default 60000. */
  bootTimeoutMs?: number;
  /**
   * The root filesystem: `bare` (default: sh, coreutils, tar, gzip, curl, perl-base; no node, ruby or
   * python) or `apps` (the same plus Debian's ruby, unicorn, ruby-sidekiq, redis-server, nodejs
   * for the restart strategies' tests; built once like the other, ~75 s).
   */
  template?: "bare" | "apps";
}

/** Boots test hosts and resolves once each accepts an ssh login. */
export declare function startTestHosts(options?: StartTestHostsOptions): Promise<TestHosts>;
