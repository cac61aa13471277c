import type { DeployEvent } from "@deploykit/core";
import type { HostResult } from "./result";

/** What the fleet does to one host: deploy the release, or roll back to the version it ran. */
export type HostAction = "deploy" | "rollback";

/** The rollout plan, before the first host starts. */
export interface FleetPlanEvent {
  type: "fleet:plan";
  /** Hosts the rollout means to deploy. */
  planned: number;
  batches: { batch: number; role?: string; canary: boolean; hosts: string[] }[];
}

/** A batch starts or has finished (every host in it done). */
export interface FleetBatchEvent {
  type: "fleet:batch";
  phase: "start" | "finish";
  batch: number;
  hosts: string[];
}

/** A host's deploy (or rollback) starts. */
export interface FleetHostStartEvent {
  type: "fleet:host:start";
  host: string;
  batch: number;
  action: HostAction;
}

/** A host's deploy (or rollback) has finished; `result` is its final state so far. */
export interface FleetHostFinishEvent {
  type: "fleet:host:finish";
  host: string;
  batch: number;
  action: HostAction;
  result: HostResult;
}

/** The rollout stops starting hosts: the failure budget is spent, it was aborted or not confirmed. */
export interface FleetHaltEvent {
  type: "fleet:halt";
  reason: "max-failures" | "aborted" | "not-confirmed";
  message: string;
  failures: number;
}

/** An event of one host's own deploy (step, progress, log, warning), tagged with the host's name. */
export type HostDeployEvent = DeployEvent & { host: string };

/** Every event `deployFleet()` / `rollbackFleet()` emit. Discriminated on `type`. */
export type FleetEvent =
  | FleetPlanEvent
  | FleetBatchEvent
  | FleetHostStartEvent
  | FleetHostFinishEvent
  | FleetHaltEvent
  | HostDeployEvent;

/** The callback fleet operations take as `onEvent`. It must not throw. */
export type FleetEventSink = (event: FleetEvent) => void;
