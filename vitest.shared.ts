import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const src = (path: string) => fileURLToPath(new URL(`./packages/${path}`, import.meta.url));

/**
 * Settings every package's vitest project shares. Tests import the workspace packages by
 * name; these aliases point those names at `src/` so a test run needs no build. The one
 * test that checks the built output (test/dist.test.ts in each package) imports `dist/`.
 */
export default defineConfig({
  resolve: {
    alias: [
      { find: "@deploykit/core/testing", replacement: src("core/src/testing/index.ts") },
      { find: "@deploykit/core/s3", replacement: src("core/src/s3/index.ts") },
      { find: "@deploykit/core", replacement: src("core/src/index.ts") },
      { find: "@deploykit/runtimes/testing", replacement: src("runtimes/src/testing/index.ts") },
      { find: "@deploykit/runtimes", replacement: src("runtimes/src/index.ts") },
      { find: "@deploykit/fleet/testing", replacement: src("fleet/src/testing/index.ts") },
      { find: "@deploykit/fleet", replacement: src("fleet/src/index.ts") },
      { find: "@deploykit/pkgr", replacement: src("pkgr/src/index.ts") },
    ],
  },
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
