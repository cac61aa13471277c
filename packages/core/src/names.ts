import { DeployKitError } from "./errors";

const APP_NAME = /^[a-z0-9][a-z0-9+.-]+$/;
const EPOCH = /^\d+$/;
const UPSTREAM = /^\d[A-Za-z0-9.+~-]*$/;
const UPSTREAM_NO_HYPHEN = /^\d[A-Za-z0-9.+~]*$/;
const REVISION = /^[A-Za-z0-9.+~]+$/;

/**
 * Checks an app name against Debian's package-name rule (lowercase `a-z0-9+-.`, at least two
 * characters, starting alphanumeric), so the same name works for a `.deb`, a store key and a path.
 *
 * @throws {@link DeployKitError} `E_INVALID_NAME`
 */
export function assertAppName(name: string): void {
  if (!APP_NAME.test(name)) {
    throw new DeployKitError("E_INVALID_NAME", `"${name}" is not a valid app name.`, {
      hint: "Use at least two characters from a-z, 0-9, '+', '-', '.', starting with a letter or digit (Debian's package-name rule).",
      details: { name },
    });
  }
}

/** A Debian version split into its parts. */
export interface VersionParts {
  epoch: number;
  upstream: string;
  revision: string;
}

/**
 * Splits `[epoch:]upstream[-revision]` into its parts, or returns `undefined` when the string
 * is not a valid Debian version.
 */
export function parseVersion(version: string): VersionParts | undefined {
  const colon = version.indexOf(":");
  const epochText = colon === -1 ? "0" : version.slice(0, colon);
  const rest = colon === -1 ? version : version.slice(colon + 1);
  if (!EPOCH.test(epochText)) return undefined;
  const hyphen = rest.lastIndexOf("-");
  const upstream = hyphen === -1 ? rest : rest.slice(0, hyphen);
  const revision = hyphen === -1 ? "" : rest.slice(hyphen + 1);
  if (hyphen !== -1 && !REVISION.test(revision)) return undefined;
  if (!(hyphen === -1 ? UPSTREAM_NO_HYPHEN : UPSTREAM).test(upstream)) return undefined;
  return { epoch: Number(epochText), upstream, revision };
}

/**
 * Checks a release version against Debian's version syntax (`[epoch:]upstream[-revision]`,
 * upstream starting with a digit), so releases order the way dpkg orders them.
 *
 * @throws {@link DeployKitError} `E_INVALID_VERSION`
 */
export function assertVersion(version: string): void {
  if (version.length > 128 || parseVersion(version) === undefined) {
    throw new DeployKitError("E_INVALID_VERSION", `"${version}" is not a valid release version.`, {
      hint: "Use Debian version syntax: [epoch:]upstream[-revision], upstream starting with a digit, e.g. 1.4.2 or 1.4.2-20240101120000.",
      details: { version },
    });
  }
}

/**
 * Checks that a `.tgz` release's version has no epoch (`N:`). A `.tgz` release is unpacked into
 * `releases/<version>`, and a `:` there splits the `PATH` entries a buildpack's `.profile.d`
 * adds (`$HOME/bin`) and makes the artifact's file name read as `host:path` to scp and rsync.
 * An epoch only matters to dpkg's ordering, so `.deb` packages keep it.
 *
 * @throws {@link DeployKitError} `E_INVALID_VERSION`
 */
export function assertTgzVersion(version: string): void {
  if (version.includes(":")) {
    throw new DeployKitError(
      "E_INVALID_VERSION",
      `"${version}" has an epoch, which a .tgz release cannot carry.`,
      {
        hint: "A .tgz release lives in releases/<version>, where ':' splits the PATH entries .profile.d adds; raise the version instead (an epoch is only for .deb packages, --format deb).",
        details: { version },
      },
    );
  }
}
