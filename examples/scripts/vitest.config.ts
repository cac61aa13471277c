import { defineProject } from "vitest/config";

// The example scripts use the BUILT packages, exactly as a user's script would (npm test builds first).
export default defineProject({
  test: { name: "examples", include: ["test/**/*.test.ts"], testTimeout: 120_000 },
});
