import { inventoryError } from "./errors";
import type { FleetHost, HostConnectionSettings, Inventory, RoleSettings } from "./model";
import { rolloutOrder } from "./native";

type Vars = Record<string, unknown>;
interface Group {
  hosts?: Record<string, Vars | null> | null;
  children?: Record<string, Group | null> | null;
  vars?: Vars | null;
}

const GROUP_KEYS = new Set(["hosts", "children", "vars"]);
const isMapping = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * True when a YAML document reads as an Ansible inventory: an `all` group, or only groups
 * (mappings of `hosts` / `children` / `vars`) at the top.
 */
export function looksLikeAnsible(data: unknown): boolean {
  if (!isMapping(data)) return false;
  if ("all" in data) return true;
  const values = Object.entries(data);
  return (
    values.length > 0 &&
    !("hosts" in data) &&
    values.every(([, g]) => g === null || (isMapping(g) && Object.keys(g).every((k) => GROUP_KEYS.has(k))))
  );
}

/** Ansible's connection variables, as core's `sshHost()` options. */
function connectionOf(vars: Vars, source: string, host: string): HostConnectionSettings {
  const out: HostConnectionSettings = {};
  const text = (key: string) => (vars[key] === undefined ? undefined : String(vars[key]));
  const address = text("ansible_host");
  if (address) out.host = address;
  const user = text("ansible_user") ?? text("ansible_ssh_user");
  if (user) out.user = user;
  const port = text("ansible_port") ?? text("ansible_ssh_port");
  if (port !== undefined) {
    if (!/^\d+$/.test(port) || Number(port) < 1 || Number(port) > 65535)
      throw inventoryError(
        source,
        `${host}.ansible_port`,
        `must be a port from 1 to 65535 (got ${port}).`,
        "e.g. ansible_port: 2222",
      );
    out.port = Number(port);
  }
  const key = text("ansible_ssh_private_key_file") ?? text("ansible_private_key_file");
  if (key) out.identityFile = key;
  if (text("ansible_connection") === "local") out.local = true;
  const timeout = text("ansible_ssh_timeout") ?? text("ansible_timeout");
  if (timeout && Number(timeout) > 0) out.connectTimeoutS = Number(timeout);
  if (vars.ansible_become === true || text("ansible_become") === "true") {
    out.sudo = text("ansible_become_user") ?? true;
  }
  return out;
}

/** `deploykit_root`, `deploykit_strategy`... variables: deploy settings kept next to Ansible's. */
function settingsOf(vars: Vars): RoleSettings {
  const out: Record<string, unknown> = {};
  for (const key of ["root", "strategy", "healthcheck", "env"])
    if (vars[`deploykit_${key}`] !== undefined) out[key] = vars[`deploykit_${key}`];
  return out as RoleSettings;
}

/**
 * Reads an Ansible YAML inventory (`all: { hosts, children: { web: { hosts } } }`): every group
 * a host is in, directly or through `children`, becomes one of its roles (`all` and `ungrouped`
 * excepted). Connection variables map to `sshHost()` options (`ansible_host` → host,
 * `ansible_port` → port, `ansible_user` → user, `ansible_ssh_private_key_file` → identityFile,
 * `ansible_connection: local` → local, `ansible_become[_user]` → sudo); `deploykit_root`,
 * `deploykit_strategy`, `deploykit_healthcheck`, `deploykit_env` carry deploy settings. Host
 * variables override group variables, a child group's override its parent's (Ansible's
 * precedence, without `group_vars/` files). @throws `E_INVALID_INPUT`
 */
export function ansibleInventory(data: unknown, source: string): Inventory {
  const top = data as Record<string, Group | null>;
  const roots: Record<string, Group | null> = "all" in top ? { all: top.all ?? null } : top;
  const found = new Map<string, { roles: Set<string>; vars: Vars }>();
  const walk = (name: string, group: Group | null, inherited: Vars, path: string[], trail: string[]) => {
    if (group !== null && !isMapping(group))
      throw inventoryError(
        source,
        trail.join("."),
        "must be a group: a mapping of hosts, children and vars.",
        "e.g. web: { hosts: { web1.example: {} } }",
      );
    if (path.includes(name))
      throw inventoryError(
        source,
        trail.join("."),
        `group ${name} contains itself.`,
        "Remove the cycle from children.",
      );
    const vars = { ...inherited, ...(group?.vars ?? {}) };
    const roles = [...path, name].filter((g) => g !== "all" && g !== "ungrouped");
    for (const [host, own] of Object.entries(group?.hosts ?? {})) {
      if (own !== null && !isMapping(own))
        throw inventoryError(
          source,
          [...trail, "hosts", host].join("."),
          "must be a mapping of variables (or empty).",
          "e.g. web1: { ansible_host: 10.0.0.1 }",
        );
      const entry = found.get(host) ?? { roles: new Set<string>(), vars: {} };
      for (const role of roles) entry.roles.add(role);
      entry.vars = { ...entry.vars, ...vars, ...(own ?? {}) };
      found.set(host, entry);
    }
    for (const [child, sub] of Object.entries(group?.children ?? {}))
      walk(child, sub, vars, [...path, name], [...trail, "children", child]);
  };
  for (const [name, group] of Object.entries(roots)) walk(name, group, {}, [], [name]);
  const hosts: FleetHost[] = [...found].map(([name, { roles, vars }]) => ({
    name,
    roles: [...roles],
    ...settingsOf(vars),
    connection: connectionOf(vars, source, name),
  }));
  return { hosts, roles: {}, order: rolloutOrder([], hosts, []), source };
}
