/**
 * In-memory doubles for fleet rollouts: a fleet of simulated hosts (latencies, failures,
 * unreachable hosts) and a discrete-event clock, so a team can unit-test its rollout plan
 * (batches, failure budget, halt and roll back) in milliseconds.
 *
 * @packageDocumentation
 */
export {
  createFleetDouble,
  type FleetDouble,
  type FleetDoubleCall,
  type FleetDoubleOptions,
} from "./fleet-double";
export { createSimulatedClock, type SimulatedClock } from "./simulated-clock";
