import { defineProject } from "vitest/config";

// The example uses the BUILT packages, exactly as another team's code would (npm test builds first).
export default defineProject({
  test: { name: "custom-strategy", include: ["test/**/*.test.ts"], testTimeout: 60_000 },
});
