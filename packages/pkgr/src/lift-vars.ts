import type { BuildOptions } from "./options";

/**
 * Moves `STACK` and `BUILDPACK_VENDOR_URL` out of `env` into `stack` / `buildpackVendorUrl`
 * (pkgr users pass them with `--env`). They are settings, not secrets: they stay visible in
 * logs. An explicit `stack` / `buildpackVendorUrl` wins.
 */
export function liftBuildpackVars<T extends Partial<BuildOptions>>(options: T): T {
  if (!options.env || !("STACK" in options.env || "BUILDPACK_VENDOR_URL" in options.env)) return options;
  const { STACK, BUILDPACK_VENDOR_URL, ...env } = options.env;
  return {
    ...options,
    env,
    ...(STACK !== undefined && options.stack === undefined ? { stack: STACK } : {}),
    ...(BUILDPACK_VENDOR_URL !== undefined && options.buildpackVendorUrl === undefined
      ? { buildpackVendorUrl: BUILDPACK_VENDOR_URL }
      : {}),
  };
}
