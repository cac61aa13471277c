import { defineProject, mergeConfig } from "vitest/config";
import shared from "../../vitest.shared.ts";

// The load tests measure zero dropped requests on a 2-core machine: run this package's files one
// after the other so they do not compete with each other for the CPU.
export default mergeConfig(shared, defineProject({ test: { name: "runtimes", fileParallelism: false } }));
