import { inventoryError } from "./errors";
import type { FleetHost, HostConnectionSettings, Inventory, RoleSettings } from "./model";
import {
  type HostEntry,
  hostEntry,
  hostName,
  listedHost,
  type NativeInventory,
  nativeInventorySchema,
} from "./schema";
import { checked } from "./schema-error";

const SETTINGS = ["root", "strategy", "healthcheck", "env"] as const;
const CONNECTION = [
  "local",
  "host",
  "user",
  "port",
  "identityFile",
  "sshConfig",
  "connectTimeoutS",
  "sudo",
] as const;

/** Settings of `from` that are set, for merging over defaults. */
export function pick<K extends string>(from: Partial<Record<K, unknown>>, keys: readonly K[]) {
  const out: Partial<Record<K, unknown>> = {};
  for (const key of keys) if (from[key] !== undefined) out[key] = from[key];
  return out;
}

/**
 * Merges a host's settings: the inventory's, then each of its roles' in rollout order (the
 * first role listed in `order` wins), then the host's own.
 */
export function resolveHost(
  name: string,
  roles: string[],
  own: HostEntry,
  defaults: RoleSettings & { ssh?: HostConnectionSettings },
  roleSettings: Record<string, RoleSettings>,
  order: string[],
): FleetHost {
  const ranked = [...roles].sort((a, b) => rank(order, a) - rank(order, b));
  const fromRoles: RoleSettings = {};
  for (const role of ranked.reverse()) Object.assign(fromRoles, pick(roleSettings[role] ?? {}, SETTINGS));
  return {
    name,
    roles,
    ...pick(defaults, SETTINGS),
    ...fromRoles,
    ...pick(own, SETTINGS),
    connection: { ...(defaults.ssh ?? {}), ...pick(own, CONNECTION) } as HostConnectionSettings,
  } as FleetHost;
}

const rank = (order: string[], role: string) => {
  const at = order.indexOf(role);
  return at < 0 ? order.length : at;
};

/** Roles in rollout order: `order` first, then the rest as they first appear. */
export function rolloutOrder(order: string[], hosts: { roles: string[] }[], roles: string[]): string[] {
  const all = [...order];
  for (const role of [...roles, ...hosts.flatMap((h) => h.roles)]) if (!all.includes(role)) all.push(role);
  return all;
}

/** Checks each host entry on its own, so an error names the host and key at fault. */
function hostEntries(hosts: NativeInventory["hosts"], source: string): [string, HostEntry][] {
  if (Array.isArray(hosts)) {
    return hosts.map((h, i) => {
      const named = (h as { name?: unknown } | null)?.name;
      const path = ["hosts", typeof named === "string" && named ? named : String(i)];
      if (typeof h === "string") return [checked(source, hostName, h, path), {}];
      const { name, ...own } = checked(source, listedHost, h, path);
      return [name, own];
    });
  }
  return Object.entries(hosts).map(([n, h]) => [
    checked(source, hostName, n, ["hosts", n]),
    checked(source, hostEntry.nullable(), h, ["hosts", n]) ?? {},
  ]);
}

/** Reads deploykit's own inventory shape (already YAML-parsed). @throws `E_INVALID_INPUT` */
export function nativeInventory(data: unknown, source: string): Inventory {
  const doc: NativeInventory = checked(source, nativeInventorySchema, data);
  const roles: Record<string, RoleSettings> = {};
  for (const [role, settings] of Object.entries(doc.roles ?? {}))
    roles[role] = (settings ?? {}) as RoleSettings;
  const entries = hostEntries(doc.hosts, source);
  const seen = new Set<string>();
  for (const [name] of entries) {
    if (seen.has(name))
      throw inventoryError(
        source,
        `hosts.${name}`,
        "is listed twice.",
        "Give each host one entry, with all its roles.",
      );
    seen.add(name);
  }
  const order = doc.order ?? [];
  const defaults = {
    ...(doc as RoleSettings),
    ...(doc.ssh ? { ssh: doc.ssh as HostConnectionSettings } : {}),
  };
  const hosts = entries.map(([name, own]) => resolveHost(name, own.roles ?? [], own, defaults, roles, order));
  return {
    ...(doc.app ? { app: doc.app } : {}),
    hosts,
    roles,
    order: rolloutOrder(order, hosts, Object.keys(roles)),
    source,
  };
}
