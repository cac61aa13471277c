import { defineConfig } from "tsup";
import { shared } from "../../tsup.shared";

export default defineConfig({
  ...shared,
  entry: { index: "src/index.ts", cli: "src/cli.ts" },
  // The CJS build loads `@deploykit/core/s3` lazily with require(), not import(): an import()
  // would load core's ESM build next to the CJS one, and DeployKitError would exist twice.
  esbuildOptions(options, context) {
    if (context.format === "cjs") options.supported = { ...options.supported, "dynamic-import": false };
  },
});
