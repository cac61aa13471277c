/**
 * Fleet rollouts for deploykit: one release to every host of an inventory, in batches, with a
 * failure budget, halt and roll back; fleet-wide releases, status and rollback. Each host runs
 * core's single-host operations over its own connection; this package holds no host logic.
 *
 * @packageDocumentation
 */
export type { Amount } from "./amount";
export { type ConnectHost, connectHost } from "./connect";
export {
  type DeployFleetOptions,
  deployFleet,
  type FailurePolicy,
  type FleetOperationOptions,
  planRollout,
} from "./deploy-fleet";
export type {
  FleetBatchEvent,
  FleetEvent,
  FleetEventSink,
  FleetHaltEvent,
  FleetHostFinishEvent,
  FleetHostStartEvent,
  FleetPlanEvent,
  HostAction,
  HostDeployEvent,
} from "./events";
export { type HostDeploySettings, healthcheckFor, hostDeployStep, type StrategyChoice } from "./host-step";
export type {
  FleetHost,
  HostConnectionSettings,
  Inventory,
  RoleSettings,
  StrategyData,
} from "./inventory/model";
export { loadInventory, type ParseInventoryOptions, parseInventory } from "./inventory/parse";
export type { Limiter } from "./limiter";
export type { BatchOptions, PlannedBatch } from "./plan";
export {
  fleetReleases,
  fleetStatus,
  type HostReleasesResult,
  type HostStatusResult,
  type ReadFleetOptions,
} from "./read-fleet";
export type { FleetResult, FleetSummary, HostOutcome, HostResult } from "./result";
export { type RollbackFleetOptions, rollbackFleet } from "./rollback-fleet";
export type { FleetSelection } from "./select";
export type { HostStep, HostStepContext, HostStepResult } from "./step";
