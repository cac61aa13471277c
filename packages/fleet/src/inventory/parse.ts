import { readFile } from "node:fs/promises";
import { dirname, isAbsolute, resolve } from "node:path";
import { DeployKitError } from "@deploykit/core";
import { parse as parseYaml } from "yaml";
import { ansibleInventory, looksLikeAnsible } from "./ansible";
import { inventoryError } from "./errors";
import type { Inventory } from "./model";
import { nativeInventory } from "./native";

/** Options for {@link parseInventory}. */
export interface ParseInventoryOptions {
  /** Names the inventory in messages (a file path). Default `"inventory"`. */
  source?: string;
  /** Directory relative `identityFile` / `sshConfig` paths are resolved against. */
  baseDir?: string;
}

/**
 * Reads an inventory from YAML text: deploykit's own shape (`hosts`, `roles`, `order`, `ssh`,
 * like Capistrano's `server ..., roles:` and Kamal's `servers:`) or an Ansible YAML inventory
 * (`all: { hosts, children }`), told apart by their top-level keys. Everything is checked before
 * anything is touched: unknown keys, duplicate hosts, ports, roles in `order` that no host has.
 *
 * @example
 * ```yaml
 * app: web
 * root: /srv/web
 * ssh: { user: deploy, connectTimeoutS: 5 }
 * order: [web, worker]                 # workers after web
 * roles:
 *   web: { strategy: { name: node, script: server.js }, healthcheck: "http://{host}:3000/health" }
 *   worker: { strategy: sidekiq }
 * hosts:
 *   web1: { host: 10.0.0.11, roles: [web] }
 *   job1: { host: 10.0.0.21, roles: [worker] }
 * ```
 * @throws `DeployKitError` `E_INVALID_INPUT` with the key at fault and an example.
 */
export function parseInventory(text: string, options: ParseInventoryOptions = {}): Inventory {
  const source = options.source ?? "inventory";
  let data: unknown;
  try {
    data = parseYaml(text, { uniqueKeys: true });
  } catch (error) {
    throw new DeployKitError("E_INVALID_INPUT", `${source} is not valid YAML: ${(error as Error).message}`, {
      hint: "Fix the YAML at the line shown (indentation, a missing colon, a duplicate key).",
      cause: error,
      details: { inventory: source },
    });
  }
  const inventory = looksLikeAnsible(data) ? ansibleInventory(data, source) : nativeInventory(data, source);
  if (inventory.hosts.length === 0)
    throw inventoryError(source, "hosts", "lists no host.", "Add at least one host.");
  const roles = new Set(inventory.hosts.flatMap((h) => h.roles));
  for (const role of inventory.order) {
    if (!roles.has(role) && !(role in inventory.roles))
      throw inventoryError(
        source,
        "order",
        `names role ${role}, which no host has.`,
        `Roles in use: ${[...roles].join(", ") || "none"}.`,
      );
  }
  const base = options.baseDir;
  if (base) {
    for (const host of inventory.hosts) {
      for (const key of ["identityFile", "sshConfig"] as const) {
        const path = host.connection[key];
        if (path && !isAbsolute(path)) host.connection[key] = resolve(base, path);
      }
      // A root on this machine is a path like the others: next to the inventory, not the cwd.
      if (host.connection.local && host.root && !isAbsolute(host.root)) host.root = resolve(base, host.root);
    }
  }
  return inventory;
}

/**
 * Reads and parses an inventory file (see {@link parseInventory}); relative key and ssh_config
 * paths, and the relative roots of `local` hosts, are resolved against the file's directory.
 * @throws `DeployKitError` `E_NOT_FOUND` when the file is missing, `E_INVALID_INPUT`.
 */
export async function loadInventory(path: string): Promise<Inventory> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new DeployKitError(
      "E_NOT_FOUND",
      `Cannot read the inventory ${path}: ${(error as Error).message}`,
      {
        hint: "Pass the path of a YAML inventory (deploykit's or Ansible's).",
        cause: error,
        details: { inventory: path },
      },
    );
  }
  return parseInventory(text, { source: path, baseDir: dirname(resolve(path)) });
}
