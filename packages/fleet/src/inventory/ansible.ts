import { closestMatch } from "@deploykit/core";
import { z } from "zod";
import { inventoryError, unknownKeysError } from "./errors";
import type { FleetHost, HostConnectionSettings, Inventory, RoleSettings } from "./model";
import { rolloutOrder } from "./native";
import { nativeInventorySchema, roleSettingsShape } from "./schema";
import { checked } from "./schema-error";

type Vars = Record<string, unknown>;
interface Group {
  hosts?: Record<string, Vars | null> | null;
  children?: Record<string, Group | null> | null;
  vars?: Vars | null;
}

const GROUP_KEYS = new Set(["hosts", "children", "vars"]);
const SETTINGS = Object.keys(roleSettingsShape) as (keyof RoleSettings)[];
const PREFIX = "deploykit_";
/** `deploykit_root`, `deploykit_strategy`...: role settings under Ansible variable names. */
const deploykitVars = z.looseObject(
  Object.fromEntries(SETTINGS.map((key) => [`${PREFIX}${key}`, roleSettingsShape[key]])),
);
const isMapping = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * True when a YAML document reads as an Ansible inventory: an `all` group, or no key of
 * deploykit's own shape at the top and only groups there: mappings of `hosts` / `children` /
 * `vars`, or of keys a typo away from them (`hots:`), which the reader then names.
 */
export function looksLikeAnsible(data: unknown): boolean {
  if (!isMapping(data)) return false;
  if ("all" in data) return true;
  const groupKey = (key: string) => GROUP_KEYS.has(key) || closestMatch(key, [...GROUP_KEYS]) !== undefined;
  const values = Object.entries(data);
  return (
    values.length > 0 &&
    !values.some(([key]) => key in nativeInventorySchema.shape) &&
    values.every(([, g]) => g === null || (isMapping(g) && Object.keys(g).every(groupKey)))
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

/**
 * Checks the deploykit variables of one `vars` (or host) mapping where it is written, so the error
 * names that place: a `deploykit_*` name deploykit does not have (`deploykit_strategyy`) is a typo,
 * not an Ansible variable to pass over; other variables are Ansible's and left alone.
 */
function checkVars(vars: object, source: string, path: string[]): void {
  const known = SETTINGS.map((key) => `${PREFIX}${key}`);
  const unknown = Object.keys(vars).filter((key) => key.startsWith(PREFIX) && !known.includes(key));
  if (unknown.length > 0)
    throw unknownKeysError(source, path.join("."), unknown, known, { what: "deploykit variable" });
  checked(source, deploykitVars, vars, path);
}

/** `deploykit_root`, `deploykit_strategy`... variables: deploy settings kept next to Ansible's. */
function settingsOf(vars: Vars): RoleSettings {
  const out: Record<string, unknown> = {};
  for (const key of SETTINGS) if (vars[`${PREFIX}${key}`] !== undefined) out[key] = vars[`${PREFIX}${key}`];
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
 * precedence, without `group_vars/` files). Every top-level key is a group. A `deploykit_*`
 * variable deploykit does not have, or a group key other than `hosts` / `children` / `vars`, is
 * refused with the name it probably meant; other variables are Ansible's and passed over.
 * @throws `E_INVALID_INPUT`
 */
export function ansibleInventory(data: unknown, source: string): Inventory {
  const top = data as Record<string, Group | null>;
  const found = new Map<string, { roles: Set<string>; vars: Vars }>();
  const walk = (name: string, group: Group | null, inherited: Vars, path: string[], trail: string[]) => {
    if (group !== null && !isMapping(group))
      throw inventoryError(
        source,
        trail.join("."),
        "must be a group: a mapping of hosts, children and vars.",
        "e.g. web: { hosts: { web1.example: {} } }",
      );
    const extra = Object.keys(group ?? {}).filter((key) => !GROUP_KEYS.has(key));
    if (extra.length > 0)
      throw unknownKeysError(source, trail.join("."), extra, [...GROUP_KEYS], { what: "group key" });
    for (const key of GROUP_KEYS) {
      const value = group?.[key as keyof Group];
      if (value !== undefined && value !== null && !isMapping(value))
        throw inventoryError(
          source,
          [...trail, key].join("."),
          "must be a mapping (a list is not read as one).",
          "e.g. hosts: { web1.example: {}, web2.example: {} }",
        );
    }
    if (path.includes(name))
      throw inventoryError(
        source,
        trail.join("."),
        `group ${name} contains itself.`,
        "Remove the cycle from children.",
      );
    if (group?.vars) checkVars(group.vars, source, [...trail, "vars"]);
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
      if (own) checkVars(own, source, [...trail, "hosts", host]);
      const entry = found.get(host) ?? { roles: new Set<string>(), vars: {} };
      for (const role of roles) entry.roles.add(role);
      entry.vars = { ...entry.vars, ...vars, ...(own ?? {}) };
      found.set(host, entry);
    }
    for (const [child, sub] of Object.entries(group?.children ?? {}))
      walk(child, sub, vars, [...path, name], [...trail, "children", child]);
  };
  for (const [name, group] of Object.entries(top)) walk(name, group, {}, [], [name]);
  const hosts: FleetHost[] = [...found].map(([name, { roles, vars }]) => ({
    name,
    roles: [...roles],
    ...settingsOf(vars),
    connection: connectionOf(vars, source, name),
  }));
  return { hosts, roles: {}, order: rolloutOrder([], hosts, []), source };
}
