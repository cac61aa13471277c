/**
 * Test kit for runtime strategies: the contract every strategy must pass
 * ({@link runtimeContractCases}), and the port doubles from `@deploykit/core/testing` for unit
 * tests that run in milliseconds.
 *
 * @packageDocumentation
 */
export {
  type ContractCase,
  createFakeClock,
  createFakeProcessTable,
  createRecordingRunner,
  type FakeClock,
  type FakeProcessTable,
  type RecordedCall,
  type RecordingRunner,
} from "@deploykit/core/testing";
export {
  type RuntimeContractOptions,
  type RuntimeHarness,
  type RuntimeScenario,
  runtimeContractCases,
} from "./contract";
