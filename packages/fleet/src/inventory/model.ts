import type { HealthcheckOptions } from "@deploykit/core";

/**
 * A restart strategy as an inventory file names it: a name (`"node"`) or a mapping with a
 * `name` and the strategy's options (`{ name: "unicorn", timeoutMs: 30000 }`), the same shape as
 * the `strategy` key of deploykit's config file. It stays plain data here: the caller turns it
 * into a `RuntimeStrategy` (the CLI with `createStrategy` from `@deploykit/runtimes`).
 */
export type StrategyData = string | { name: string; [option: string]: unknown };

/** What a role (or the whole inventory, or one host) says about deploying: keys mirror `deploy()`'s options. */
export interface RoleSettings {
  /** The host root on the server (absolute over SSH). */
  root?: string;
  /** How the app is restarted on hosts of this role. */
  strategy?: StrategyData;
  /**
   * Health gate after the restart. `{host}` in the URL is replaced by the host's address
   * (`host`, else its name), `{name}` by its inventory name: `http://{host}:3000/health`.
   */
  healthcheck?: string | HealthcheckOptions;
  /** Extra environment for the app's processes. */
  env?: Record<string, string>;
}

/**
 * How to reach a host: the options of core's `sshHost()` (same names), or `local: true` for
 * this machine. Relative `identityFile` / `sshConfig` paths are resolved against the
 * inventory file's directory.
 */
export interface HostConnectionSettings {
  /** This machine (core's `localHost()`), not SSH. */
  local?: boolean;
  /** Address or ssh_config alias; default: the host's inventory name. */
  host?: string;
  user?: string;
  port?: number;
  identityFile?: string;
  sshConfig?: string;
  /** Seconds to wait for the TCP connection and SSH handshake (ssh's `ConnectTimeout`). Default 10. */
  connectTimeoutS?: number;
  sudo?: boolean | string;
}

/** One server of the fleet, with its settings resolved (host over role over inventory defaults). */
export interface FleetHost extends RoleSettings {
  /** The host's name in the inventory: events, results and errors use it. */
  name: string;
  /** Roles (Capistrano's `roles:`, Kamal's server roles, Ansible's groups). */
  roles: string[];
  connection: HostConnectionSettings;
}

/** A parsed, validated inventory. */
export interface Inventory {
  /** The app deployed (the inventory's `app`), if it names one. */
  app?: string;
  hosts: FleetHost[];
  /** Role settings as written (already merged into each host). */
  roles: Record<string, RoleSettings>;
  /**
   * Roles in rollout order (e.g. `["web", "worker"]`: workers after web). Roles not listed
   * follow, in order of first appearance.
   */
  order: string[];
  /** Where it was read from, for messages. */
  source: string;
}
