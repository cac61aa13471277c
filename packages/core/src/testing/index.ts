/**
 * In-memory test doubles for deploykit's ports: unit-test a deploy script in milliseconds.
 * Every capability is also proven against the real thing in deploykit's own suite.
 *
 * @packageDocumentation
 */
export { createFakeClock, type FakeClock } from "./fake-clock";
export { createFakeProcessTable, type FakeProcessTable } from "./fake-process-table";
export { createMemoryStore, type MemoryStore } from "./memory-store";
export { createRecordingRunner, type RecordedCall, type RecordingRunner } from "./recording-runner";
export { createSimulatedHost, type SimulatedHost, type SimulatedHostOptions } from "./simulated-host";
export { type ContractCase, storeContractCases } from "./store-contract";
