import { closestMatch, DeployKitError } from "@deploykit/core";
import type { FleetOperationOptions } from "../deploy-fleet";

/** `E_INVALID_INPUT` naming the inventory and the key at fault. */
export function inventoryError(
  source: string,
  path: string,
  message: string,
  hint: string,
  details: Record<string, unknown> = {},
): DeployKitError {
  const where = path ? `${source}: ${path}` : source;
  return new DeployKitError("E_INVALID_INPUT", `${where}: ${message}`, {
    hint,
    details: { inventory: source, ...(path ? { key: path } : {}), ...details },
  });
}

/**
 * Options of a rollout, not of an inventory: written in an inventory by mistake (`batchsize:`),
 * they are named as such rather than matched against the inventory's keys.
 */
const ROLLOUT_OPTIONS = [
  "batchSize",
  "canary",
  "maxFailures",
  "maxUnavailable",
  "onFailure",
  "uploadConcurrency",
] as const satisfies readonly (keyof FleetOperationOptions)[];

/**
 * `E_INVALID_INPUT` for keys an inventory does not have at `path` (`hostz`, `deploykit_strategyy`):
 * each is named with the key it probably meant when one of `known` is close (core's
 * `closestMatch`), and the hint lists `known`. `rolloutOptions` (top level only) also matches the
 * rollout's options, which belong to `deployFleet` / the CLI, not to the inventory.
 */
export function unknownKeysError(
  source: string,
  path: string,
  keys: readonly string[],
  known: readonly string[],
  { rolloutOptions = false, what = "key" }: { rolloutOptions?: boolean; what?: string } = {},
): DeployKitError {
  const suggestions: Record<string, string> = {};
  const rollout: string[] = [];
  const named = keys.map((key) => {
    const meant = closestMatch(key, known);
    const option = meant === undefined && rolloutOptions ? closestMatch(key, ROLLOUT_OPTIONS) : undefined;
    if (option !== undefined) rollout.push(option);
    const match = meant ?? option;
    if (match === undefined) return key;
    suggestions[key] = match;
    return `${key} (did you mean ${match}?${option ? " It is an option of the rollout, not of the inventory" : ""})`;
  });
  const plural = keys.length > 1 ? "s" : "";
  const hint = [
    ...(rollout.length > 0
      ? [
          `Give ${rollout.join(", ")} to the rollout (deployFleet's options, or the CLI's flags / config file).`,
        ]
      : []),
    `The ${what}s allowed here: ${known.join(", ")}.`,
  ].join(" ");
  return inventoryError(source, path, `unknown ${what}${plural} ${named.join(", ")}.`, hint, {
    unknownKeys: [...keys],
    suggestions,
  });
}
