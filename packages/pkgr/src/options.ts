import type { OperationOptions } from "@deploykit/core";

/** How the artifact is packed: a reproducible `.tgz`, or a `.deb` (see the `.deb` section of the README). */
export type BuildFormat = "tgz" | "deb";

/**
 * Package metadata pkgr accepts (`--maintainer`, `--dependencies`, hooks...). A `.tgz` carries
 * none of it; the `.deb` writer reads it. Names follow pkgr's options in camelCase.
 */
export interface PackageMetadata {
  /** `--maintainer`, e.g. `Ops <ops@example.com>`. */
  maintainer?: string;
  /** `--vendor`. */
  vendor?: string;
  /** `--description`. */
  description?: string;
  /** `--homepage`. */
  homepage?: string;
  /** `--license`. */
  license?: string;
  /** `--category` (Debian section). */
  category?: string;
  /** `--architecture` (default: the build machine's, decided by the `.deb` writer). */
  architecture?: string;
  /** `--dependencies`: runtime package dependencies. */
  dependencies?: string[];
  /** `--build-dependencies`: packages the build machine needs. */
  buildDependencies?: string[];
  /** `--before-install`: path of a maintainer script, relative to the app. */
  beforeInstall?: string;
  /** `--after-install`. */
  afterInstall?: string;
  /** `--before-remove`. */
  beforeRemove?: string;
  /** `--after-remove`. */
  afterRemove?: string;
  /** `--runner`: init system for service files (`upstart-1.5`, `sysv-lsb-3.1`, `systemd-default`). */
  runner?: string;
  /** `--force-os` (or `--target`), e.g. `ubuntu-12.04`: picks the init system and the compression dpkg there reads. */
  forceOs?: string;
  /** `--compression`: of the `.deb`'s data member, `gzip` (default), `xz`, or `zstd` (refused for targets whose dpkg cannot read it). */
  compression?: "gzip" | "xz" | "zstd";
  /** `--restart-on-upgrade`: the `.deb`'s postinst restarts running services on upgrade. Default false. */
  restartOnUpgrade?: boolean;
  /** `--logrotate-frequency` (daily, weekly...). */
  logrotateFrequency?: string;
  /** `--logrotate-backlog`: how many rotated logs to keep. */
  logrotateBacklog?: number;
  /** `--disable-cli`: do not ship the `/usr/bin/APP` wrapper. */
  disableCli?: boolean;
  /** `.pkgr.yml` `targets:` per-distro overrides (kept as written). */
  targets?: Record<string, unknown>;
}

/** What {@link buildPackage} takes. Only `appDir` is required. */
export interface BuildOptions extends OperationOptions, PackageMetadata {
  /** The app's source directory. */
  appDir: string;
  /** App name (Debian package-name syntax). Default: `.pkgr.yml` `name`, else the directory's basename. */
  name?: string;
  /**
   * Upstream version. Default (like pkgr): `git describe --tags` in `appDir` with any leading
   * non-digits removed (`v1.2.0` → `1.2.0`), else `0.0.0`.
   */
  version?: string;
  /** Debian revision appended as `<version>-<iteration>`; the pkgr CLI defaults it to a timestamp. */
  iteration?: string;
  /** Where the artifact is written (created if absent). Default: the current directory. */
  outDir?: string;
  /** Artifact format (default `tgz`). */
  format?: BuildFormat;
  /**
   * Buildpacks to run, each `URL[#ref]` (git), a local directory, or a `.tgz` URL/path. Default:
   * the app's `.buildpacks` file, else none (the tree is packed as it is).
   */
  buildpacks?: string[];
  /** A file of buildpack URLs (like `.buildpacks`), used when `buildpacks` is empty (`--buildpack-list`). */
  buildpackList?: string;
  /** Fetch (`git fetch`) cached buildpack clones before use (default true). */
  refreshBuildpacks?: boolean;
  /**
   * Build-time variables for the buildpacks (`--env`), passed to them as given. The secret ones
   * (see `secrets`) are redacted in every event and error, and the package is scanned for them
   * (a warning names any found); the others are settings, shown as given.
   */
  env?: Record<string, string>;
  /**
   * Names of `env` vars that are secrets (`--secret NAME`, `.pkgr.yml` `secrets:`), in addition to
   * names matching `DEFAULT_SECRET_NAME_PATTERN` (TOKEN, SECRET, PASSWORD, PASSWD, KEY, CREDENTIAL,
   * DATABASE_URL) and values holding a URL with credentials. See `secretValues`.
   */
  secrets?: string[];
  /** `STACK` for the buildpacks (may be empty; default empty). */
  stack?: string;
  /** `BUILDPACK_VENDOR_URL` for the buildpacks (where the Ruby buildpack fetches ruby/bundler/libyaml). */
  buildpackVendorUrl?: string;
  /** Persistent per-app `CACHE_DIR` (default `<user cache>/deploykit/compile/<name>`). */
  compileCacheDir?: string;
  /** Where git buildpacks are cloned (default `<user cache>/deploykit/buildpacks`). */
  buildpackCacheDir?: string;
  /** Shell lines run in the build dir before the buildpacks compile (`.pkgr.yml` `before:`). */
  beforePrecompile?: string[];
  /** Shell lines run in the build dir after the buildpacks compile (`.pkgr.yml` `after:`). */
  afterPrecompile?: string[];
  /** Runtime user (`.deb` only; a `.tgz` is always owned by uid/gid 0). */
  user?: string;
  /** Runtime group (`.deb` only). */
  group?: string;
  /** Install directory (`.deb` only; default `/opt/<name>`). */
  home?: string;
  /** Modification time of every archive entry. Default: `SOURCE_DATE_EPOCH`, else 2000-01-01T00:00:00Z. */
  mtime?: Date;
  /** Read `.pkgr.yml` from `appDir` and merge it under these options (default true). */
  readPkgrYml?: boolean;
}
