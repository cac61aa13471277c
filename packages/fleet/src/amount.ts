import { DeployKitError } from "@deploykit/core";

/** A number of hosts: a whole count (`2`) or a share of the hosts it applies to (`"25%"`). */
export type Amount = number | `${number}%`;

/** An {@link Amount} checked and split into its kind. */
export type ParsedAmount = { count: number } | { percent: number };

/**
 * Reads an {@link Amount} from an option or a config value (`2`, `"2"`, `"25%"`).
 * @throws `E_INVALID_INPUT` for anything else (negative, fractional counts, over 100 %).
 */
export function parseAmount(name: string, value: unknown, min = 0): ParsedAmount {
  const text = typeof value === "number" ? String(value) : typeof value === "string" ? value.trim() : "";
  const percent = /^(\d+(?:\.\d+)?)%$/.exec(text);
  if (percent) {
    const share = Number(percent[1]);
    if (share <= 100 && share >= (min > 0 ? Number.MIN_VALUE : 0)) return { percent: share };
  } else if (/^\d+$/.test(text) && Number(text) >= min) {
    return { count: Number(text) };
  }
  throw new DeployKitError(
    "E_INVALID_INPUT",
    `${name} must be a whole number${min > 0 ? ` >= ${min}` : ""} or a percentage like "25%" (got ${JSON.stringify(value)}).`,
    { hint: `e.g. ${name}: 2, or ${name}: "25%" of the hosts it applies to.`, details: { [name]: value } },
  );
}

/**
 * Hosts an amount stands for among `total`: a count as is (at most `total`); a percentage
 * rounded `up` (batch sizes: 25 % of 3 hosts is 1) or down (budgets: 10 % of 5 hosts is 0
 * failures allowed, as Ansible's `max_fail_percentage`).
 */
export function hostsOf(amount: ParsedAmount, total: number, round: "up" | "down"): number {
  if ("count" in amount) return Math.min(amount.count, total);
  const exact = (amount.percent * total) / 100;
  return round === "up" ? Math.ceil(exact - 1e-9) : Math.floor(exact + 1e-9);
}
