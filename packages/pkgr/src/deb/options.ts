import type { OperationOptions } from "@deploykit/core";
import type { DebCompression, DebTarget, InitSystem } from "./targets";

/** Shell snippets embedded in the maintainer scripts (pkgr's `--before-install` and friends). */
export interface MaintainerHooks {
  /** Runs in `preinst` on install and upgrade, before files are unpacked. */
  beforeInstall?: string;
  /** Runs at the end of `postinst configure`, after the user exists and services are registered. */
  afterInstall?: string;
  /** Runs in `prerm remove`, before services are stopped. */
  beforeRemove?: string;
  /** Runs in `postrm remove` and `postrm purge`, after the files are gone. */
  afterRemove?: string;
}

/** Options of {@link writeDeb}. Everything but `appDir`, `outDir`, `name` and `version` has a default. */
export interface DebOptions extends OperationOptions {
  /** The built app (buildpack output); its contents become the app home. */
  appDir: string;
  /** Directory that receives `<name>_<version>_<arch>.deb`. */
  outDir: string;
  /** Package name (Debian syntax: lowercase `a-z0-9+-.`). */
  name: string;
  /** Upstream version, starting with a digit. */
  version: string;
  /** Package iteration; the Debian version becomes `version-iteration`. */
  iteration?: string;
  /** Debian architecture (`amd64`, `arm64`, `all`...). Default: the build machine's. */
  architecture?: string;
  /** `Name <email>`. Default `deploykit <deploykit@example.invalid>`. */
  maintainer?: string;
  /** First line: the synopsis; the rest: the extended description (generated when absent). */
  description?: string;
  homepage?: string;
  /** License name written to the copyright file. Default `proprietary`. */
  license?: string;
  /** Copyright holder line. Default: the maintainer. */
  copyright?: string;
  /** Debian section. Default `misc`. */
  section?: string;
  /** Depends entries (`libpq5`, `redis-server (>= 2:6)`). */
  depends?: readonly string[];
  /** Where the app lives. Default `/opt/<name>`. */
  home?: string;
  /** System user the processes run as; created by postinst when absent. Default: the name. */
  user?: string;
  /** System group; created when absent. Default: the user. */
  group?: string;
  /** Process types (Procfile over the buildpack's defaults): each can be started with `<name> run <type>`. */
  processes?: Readonly<Record<string, string>>;
  /**
   * The process types that get a service (unit / job / init script), as Heroku scales only
   * those: default every key of `processes`. `buildPackage` passes the Procfile's types plus
   * `web` from the buildpack's defaults when the Procfile has none, never one-off defaults
   * such as `rake` or `console`.
   */
  services?: readonly string[];
  /** Distribution release the package is for; picks the init system and allowed compression. */
  target?: DebTarget;
  /** Init system for the services, overriding the target's. */
  init?: InitSystem;
  /** Compression of `data.tar`. Default gzip; zstd only for targets whose dpkg reads it. */
  compression?: DebCompression;
  /** Compression level (gzip 1-9, default 6; xz 0-9, default 6; zstd 1-19, default 3). */
  compressionLevel?: number;
  /** Non-secret defaults written to `/etc/default/<name>` (`PORT` defaults to 6000). */
  env?: Readonly<Record<string, string>>;
  /** Shell snippets run by the maintainer scripts. */
  hooks?: MaintainerHooks;
  /** Restart running services when the package is upgraded. Default false. */
  restartOnUpgrade?: boolean;
  /** Text of this version's changelog entry. */
  changes?: string;
  /** Sees every uncompressed byte of `data.tar` and `control.tar` as written (secret scans). */
  onTarData?: (chunk: Buffer) => void;
  /** Leaves paths of the app out: called with the path relative to `appDir` (`/`-separated). */
  exclude?: (relativePath: string, isDir: boolean) => boolean;
  /** Rotation of `/var/log/<name>/*.log` (`/etc/logrotate.d/<name>`). Default daily, 7 kept. */
  logrotate?: { frequency?: "daily" | "weekly" | "monthly"; backlog?: number };
  /** Timestamp (seconds) for every mtime and the changelog. Default `$SOURCE_DATE_EPOCH`, else 2000-01-01 (pkgr's one reproducible mtime). */
  sourceDateEpoch?: number;
}

/** What {@link writeDeb} produced. */
export interface WrittenDeb {
  /** Absolute path of the `.deb`. */
  path: string;
  /** Its file name, `<name>_<version>_<arch>.deb` (epoch left out, as dpkg-name does). */
  fileName: string;
  size: number;
  /** Lowercase hex sha256 of the file. */
  sha256: string;
  /** The Debian `Version` field: `version-iteration`. Use it as the release manifest's version. */
  debVersion: string;
  architecture: string;
  /** Installed-Size in KiB. */
  installedSize: number;
  init: InitSystem;
}
