import type { ReleasePlan } from "@deploykit/core";
import type { Outcome } from "./command";

/** The `--dry-run` flag of install, deploy, rollback (prune has its own). */
export const dryRunArg = {
  "dry-run": { type: "boolean", description: "Print what would be done; write nothing (no lock either)" },
} as const;

/** How `--dry-run` prints a {@link ReleasePlan}: what would happen, and that nothing did. */
export function planOutcome(plan: ReleasePlan): Outcome {
  const switchLine = plan.unchanged
    ? `${plan.app} ${plan.version} is already live in ${plan.root}: nothing would be switched.`
    : `Would ${plan.action === "rollback" ? "roll back" : plan.action} ${plan.app} ${plan.version} in ${plan.root}: current ${plan.from ?? "(none)"} → ${plan.version}.`;
  const source = { store: "downloaded from the store", cache: "unpacked from the host's cache", none: "" }[
    plan.fetch
  ];
  return {
    value: { dryRun: true, plan },
    lines: [
      switchLine,
      ...(source ? [`The artifact would be ${source}.`] : []),
      ...(plan.prune.length ? [`Would prune ${plan.prune.join(", ")}.`] : []),
      plan.restart ? `Would restart with ${plan.restart}.` : "Would restart nothing.",
      "Dry run: nothing was written.",
    ],
  };
}
