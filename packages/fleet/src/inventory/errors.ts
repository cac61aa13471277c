import { DeployKitError } from "@deploykit/core";

/** `E_INVALID_INPUT` naming the inventory and the key at fault. */
export function inventoryError(source: string, path: string, message: string, hint: string): DeployKitError {
  const where = path ? `${source}: ${path}` : source;
  return new DeployKitError("E_INVALID_INPUT", `${where}: ${message}`, {
    hint,
    details: { inventory: source, ...(path ? { key: path } : {}) },
  });
}
