import { defineConfig } from "tsup";
import { shared } from "../../tsup.shared";

export default defineConfig({
  ...shared,
  entry: { index: "src/index.ts", testing: "src/testing/index.ts", s3: "src/s3/index.ts" },
  // import.meta.url in the CJS build too: src/s3/sdk.ts loads the optional AWS SDK with createRequire.
  shims: true,
});
