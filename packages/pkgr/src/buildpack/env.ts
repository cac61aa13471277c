import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";

/** What the buildpacks' clean environment is made from. */
export interface BuildEnvInput {
  /** The user's build vars (`--env`). */
  env: Record<string, string>;
  stack: string;
  buildpackVendorUrl?: string;
  /** A temp HOME for the build. */
  home: string;
}

/** Default PATH when the parent has none. */
const FALLBACK_PATH = "/usr/local/bin:/usr/bin:/bin";

/**
 * The complete environment the buildpack scripts see (nothing else is inherited, like pkgr's
 * `env -i`): `PATH`, a temp `HOME`, `STACK`, `BUILDPACK_VENDOR_URL` when set, and the user's vars.
 */
export function buildEnv(input: BuildEnvInput): Record<string, string> {
  return {
    PATH: process.env.PATH || FALLBACK_PATH,
    HOME: input.home,
    STACK: input.stack,
    ...(input.buildpackVendorUrl === undefined ? {} : { BUILDPACK_VENDOR_URL: input.buildpackVendorUrl }),
    ...input.env,
  };
}

/**
 * Fills `ENV_DIR`: one file per var, named after it, holding its value (mode 0600). The folder
 * lives in the build's temp dir, never in the build dir, so it cannot end up in the package.
 */
export async function writeEnvDir(dir: string, vars: Record<string, string>): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  for (const [name, value] of Object.entries(vars)) {
    await writeFile(join(dir, name), value, { mode: 0o600 });
  }
}
