import { type Clock, createSystemClock } from "./clock";
import { createHttpProbe, type HttpProbe } from "./http-probe";
import { createExecaRunner, type ProcessRunner } from "./process-runner";
import { createProcessTable, type ProcessTable } from "./process-table";

/** The side-effect ports every operation can take; each defaults to the real implementation. */
export interface Ports {
  runner: ProcessRunner;
  processes: ProcessTable;
  clock: Clock;
  probe: HttpProbe;
}

/** Fills in the real implementation for every port not given. */
export function resolvePorts(given: Partial<Ports> = {}): Ports {
  return {
    runner: given.runner ?? createExecaRunner(),
    processes: given.processes ?? createProcessTable(),
    clock: given.clock ?? createSystemClock(),
    probe: given.probe ?? createHttpProbe(),
  };
}
