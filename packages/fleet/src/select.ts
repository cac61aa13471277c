import { isAbsolute, resolve } from "node:path";
import { DeployKitError } from "@deploykit/core";
import type { FleetHost, Inventory } from "./inventory/model";

/** Which hosts: an inventory (or a list of hosts), optionally only some roles. */
export interface FleetSelection {
  /** A parsed inventory (`loadInventory()` / `parseInventory()`). */
  inventory?: Inventory;
  /** Hosts given directly, instead of an inventory. */
  hosts?: FleetHost[];
  /** Only hosts with this role (or any of these roles). */
  role?: string | string[];
}

/**
 * The hosts a fleet operation acts on, each checked before anything is touched: it has a root,
 * absolute unless the host is this machine, and no two entries share a root of one machine.
 * @throws `E_INVALID_INPUT` (no inventory, an unknown role, a host without a root, a shared root).
 */
export function selectHosts(selection: FleetSelection): { hosts: FleetHost[]; order: string[] } {
  const all = selection.inventory?.hosts ?? selection.hosts;
  if (!all || (selection.inventory && selection.hosts)) {
    throw new DeployKitError("E_INVALID_INPUT", "Give exactly one of inventory or hosts.", {
      hint: "e.g. deployFleet({ inventory: await loadInventory('hosts.yml'), ... }).",
    });
  }
  const roles = selection.role === undefined ? undefined : [selection.role].flat();
  const hosts = roles ? all.filter((h) => h.roles.some((r) => roles.includes(r))) : all;
  if (hosts.length === 0) {
    const known = [...new Set(all.flatMap((h) => h.roles))];
    throw new DeployKitError(
      "E_INVALID_INPUT",
      roles ? `No host has role ${roles.join(" or ")}.` : "The fleet has no host.",
      { hint: `Roles in the inventory: ${known.join(", ") || "none"}.`, details: { role: selection.role } },
    );
  }
  for (const host of hosts) {
    if (!host.root || (!host.connection.local && !isAbsolute(host.root))) {
      throw new DeployKitError(
        "E_INVALID_INPUT",
        host.root
          ? `${host.name}: root must be an absolute path on the server (got "${host.root}").`
          : `${host.name}: no root (the host root on the server).`,
        {
          hint: "Set root for the inventory, the host's role or the host, e.g. root: /srv/web.",
          details: { host: host.name },
        },
      );
    }
  }
  // Two entries deploying to one root of one machine would fight over its lock mid-rollout.
  const seen = new Map<string, string>();
  for (const host of hosts) {
    const { local, host: address, port } = host.connection;
    const where = local
      ? `this machine:${resolve(host.root as string)}`
      : `${address ?? host.name}:${port ?? 22}:${host.root}`;
    const other = seen.get(where);
    if (other !== undefined) {
      throw new DeployKitError(
        "E_INVALID_INPUT",
        `${other} and ${host.name} deploy to the same root (${host.root}) of the same machine.`,
        { hint: "Give each host entry its own machine or root.", details: { hosts: [other, host.name] } },
      );
    }
    seen.set(where, host.name);
  }
  return { hosts, order: selection.inventory?.order ?? [] };
}
