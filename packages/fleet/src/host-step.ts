import {
  type ArtifactStore,
  type DeployResult,
  deploy,
  type HealthcheckOptions,
  install,
  type RuntimeStrategy,
  rollback,
  type StagedArtifact,
  type TrustPolicy,
} from "@deploykit/core";
import { type ConnectHost, withConnection } from "./connect";
import type { FleetHost } from "./inventory/model";
import type { HostStep, HostStepResult } from "./step";

/** The strategy for a host: one for all, or chosen per host (e.g. from its role's `strategy`). */
export type StrategyChoice = RuntimeStrategy | ((host: FleetHost) => RuntimeStrategy | undefined);

/** What the default per-host step needs besides the host. */
export interface HostDeploySettings extends TrustPolicy {
  store?: ArtifactStore;
  /** The app (needed to deploy; a rollback reads it from the host). */
  app?: string;
  strategy?: StrategyChoice;
  /** Releases kept on each host. Default core's (5). */
  keep?: number;
  /** How long to wait for another deploy's lock on a host, in ms. Default 0 (`E_LOCKED` at once). */
  lockTimeoutMs?: number;
  /** The artifact read and checked once for the whole rollout (core's `stageArtifact`), sent to every remote host. */
  staged?: StagedArtifact;
  /** How each host is reached. Default its inventory settings (`sshHost()` / `localHost()`); tests pass `createSimulatedHost()`. */
  connect?: ConnectHost;
}

/** `{host}` and `{name}` in a health URL, filled in for one host. */
export function healthcheckFor(host: FleetHost): string | HealthcheckOptions | undefined {
  const check = host.healthcheck;
  if (check === undefined) return undefined;
  const fill = (url: string) =>
    url.replaceAll("{host}", host.connection.host ?? host.name).replaceAll("{name}", host.name);
  return typeof check === "string" ? fill(check) : { ...check, url: fill(check.url) };
}

const strategyFor = (choice: StrategyChoice | undefined, host: FleetHost) =>
  typeof choice === "function" ? choice(host) : choice;

const fromDeploy = (result: DeployResult): HostStepResult => {
  const before = result.unchanged ? result.release.version : (result.previous?.version ?? undefined);
  return {
    ...(before !== undefined && !result.rolledBack ? { versionBefore: before } : {}),
    ...(result.rolledBack ? { versionBefore: result.release.version, restored: true } : {}),
    versionAfter: result.release.version,
    ...(result.unchanged ? { unchanged: true } : {}),
    ...(result.cause ? { cause: result.cause } : {}),
  };
};

/**
 * The real per-host step: over the host's connection (see {@link connectHost}), core's
 * `deploy()` with the host's strategy, health gate (`{host}` filled in) and env, or `install()`
 * when the host has no strategy; for `rollback`, core's `rollback()` to the given version.
 * Errors are core's (`E_HOST_UNREACHABLE`, `E_LOCKED`, `E_HEALTHCHECK`...).
 */
export function hostDeployStep(settings: HostDeploySettings): HostStep {
  return ({ host, action, version, onEvent, signal, uploads }) =>
    withConnection(
      host,
      uploads,
      async (connection) => {
        const root = host.root as string;
        const strategy = strategyFor(settings.strategy, host);
        const healthcheck = healthcheckFor(host);
        const common = {
          root,
          host: connection,
          onEvent,
          ...(signal ? { signal } : {}),
          ...(settings.lockTimeoutMs !== undefined ? { lockTimeoutMs: settings.lockTimeoutMs } : {}),
        };
        const bringUp = {
          ...(strategy ? { strategy } : {}),
          ...(strategy && healthcheck !== undefined ? { healthcheck } : {}),
          ...(host.env ? { env: host.env } : {}),
        };
        if (action === "rollback") {
          return fromDeploy(await rollback({ ...common, ...bringUp, ...(version ? { version } : {}) }));
        }
        const release = {
          store: settings.store as ArtifactStore,
          app: settings.app as string,
          version: version as string,
          ...(settings.keep !== undefined ? { keep: settings.keep } : {}),
          ...(settings.trustedKeys ? { trustedKeys: settings.trustedKeys } : {}),
          ...(settings.requireSignature !== undefined ? { requireSignature: settings.requireSignature } : {}),
          ...(settings.staged ? { staged: settings.staged } : {}),
        };
        if (strategy) return fromDeploy(await deploy({ ...common, ...release, ...bringUp, strategy }));
        const installed = await install({ ...common, ...release });
        return fromDeploy({ ...installed, rolledBack: false });
      },
      settings.connect,
    );
}
