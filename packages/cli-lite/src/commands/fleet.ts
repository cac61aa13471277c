import { deployFleet, fleetReleases, fleetStatus, rollbackFleet } from "@deploykit/fleet";
import type { Outcome, RunContext } from "../command";

/** What a fleet command reads of its context. */
type FleetContext = Pick<RunContext<Record<string, never>>, "settings" | "io" | "onEvent" | "signal">;

import { confirmOnStdin } from "../confirm";
import { fleetOutcome, fleetReleasesOutcome, fleetStatusOutcome } from "../fleet-outcome";
import { bringUpForHosts, fleetFromSettings, rolloutFromSettings } from "../fleet-settings";
import { installFromSettings, lockFromSettings } from "../host-options";
import { openStore } from "../store";
import { envFromSettings, healthcheckFromSettings, strategyFromSettings } from "../strategies";
import { trustFromSettings } from "../trust";
import { UsageError } from "../usage";

// The `--inventory` forms of deploy, rollback, releases and status: each one fleet SDK call.

const selected = (fleet: Awaited<ReturnType<typeof fleetFromSettings>>) => {
  const roles = fleet.role ? [fleet.role].flat() : undefined;
  return fleet.inventory.hosts.filter((h) => !roles || h.roles.some((r) => roles.includes(r)));
};

const noDryRun = (ctx: FleetContext) => {
  if (ctx.settings.boolean("dryRun")) throw new UsageError("--dry-run does not work with --inventory yet.");
};

/** `deploykit deploy --inventory hosts.yml` → `deployFleet()`. */
export async function fleetDeploy(ctx: FleetContext): Promise<Outcome> {
  const { settings, io, onEvent, signal } = ctx;
  noDryRun(ctx);
  const fleet = await fleetFromSettings(settings, io.cwd);
  const app = settings.string("app") ?? fleet.inventory.app;
  if (app === undefined)
    throw new UsageError("`deploykit deploy --inventory` needs --app (or app in the inventory).");
  const strategy = bringUpForHosts(
    selected(fleet),
    {
      strategy: strategyFromSettings(settings),
      healthcheck: healthcheckFromSettings(settings),
      env: envFromSettings(settings),
    },
    true,
  );
  const rollout = rolloutFromSettings(settings);
  const confirm = settings.boolean("confirm") === true;
  if (confirm && !rollout.canary)
    throw new UsageError("--confirm asks after the canary batch: it needs --canary N.");
  const { sharedDirs: _perHost, adoptLegacyCurrent: _adopt, ...selection } = installFromSettings(settings);
  const trust = await trustFromSettings(settings, io.cwd);
  const store = await openStore(settings, io.cwd, onEvent, { mustExist: true });
  const result = await deployFleet({
    ...fleet,
    ...rollout,
    ...(confirm ? { confirm: confirmOnStdin(io) } : {}),
    ...selection,
    ...trust,
    app,
    store,
    strategy,
    onEvent,
    ...(signal ? { signal } : {}),
  });
  return fleetOutcome(`Rollout of ${app} ${result.version}`, result);
}

/** `deploykit rollback --inventory hosts.yml` → `rollbackFleet()`. */
export async function fleetRollback(ctx: FleetContext): Promise<Outcome> {
  const { settings, io, onEvent, signal } = ctx;
  noDryRun(ctx);
  const fleet = await fleetFromSettings(settings, io.cwd);
  const strategy = bringUpForHosts(
    selected(fleet),
    {
      strategy: strategyFromSettings(settings),
      healthcheck: healthcheckFromSettings(settings),
      env: envFromSettings(settings),
    },
    false,
  );
  if (settings.flag("onFailure") !== undefined || settings.boolean("confirm")) {
    throw new UsageError(
      "--on-failure and --confirm are for deploy --inventory: a fleet rollback undoes nothing.",
    );
  }
  const { onFailure: _none, ...rollout } = rolloutFromSettings(settings);
  const version = settings.version();
  const noStrategy = new Set(
    selected(fleet)
      .filter((h) => !strategy(h))
      .map((h) => h.name),
  );
  const result = await rollbackFleet({
    ...fleet,
    ...rollout,
    ...lockFromSettings(settings),
    ...(version !== undefined ? { version } : {}),
    strategy,
    onEvent,
    ...(signal ? { signal } : {}),
  });
  const outcome = fleetOutcome("Fleet rollback", result);
  const switched = result.hosts.filter((h) => h.outcome === "rolled-back" && noStrategy.has(h.host));
  if (switched.length === 0) return outcome;
  // As single-host `rollback` says it: `current` moved, yet the old processes keep serving.
  const names = switched.map((h) => h.host).join(", ");
  onEvent({
    type: "warning",
    step: "rollback",
    message: `Nothing was restarted on ${names}: their processes still run the release that was live before. Set strategy for their role in the inventory (or pass --strategy), or run \`deploykit restart --host\` on each.`,
  });
  return { ...outcome, lines: [...outcome.lines, `NOT restarted (no strategy): ${names}.`] };
}

/** `deploykit releases --inventory hosts.yml` → `fleetReleases()`. */
export async function fleetReleasesCommand(ctx: FleetContext): Promise<Outcome> {
  return fleetReleasesOutcome(await fleetReleases(await fleetFromSettings(ctx.settings, ctx.io.cwd)));
}

/** `deploykit status --inventory hosts.yml` → `fleetStatus()`. */
export async function fleetStatusCommand(ctx: FleetContext): Promise<Outcome> {
  const fleet = await fleetFromSettings(ctx.settings, ctx.io.cwd);
  const strategy = bringUpForHosts(selected(fleet), { strategy: strategyFromSettings(ctx.settings) }, false);
  return fleetStatusOutcome(await fleetStatus({ ...fleet, strategy }));
}
