import type { Options } from "tsup";

/** Build settings every package shares: ESM + CJS + .d.ts, Node 20 target, no bundled deps. */
export const shared: Options = {
  format: ["esm", "cjs"],
  dts: true,
  clean: true,
  sourcemap: true,
  target: "node20",
  platform: "node",
  splitting: true,
  treeshake: true,
};
