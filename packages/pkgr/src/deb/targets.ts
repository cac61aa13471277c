import { DeployKitError } from "@deploykit/core";

/** How a package's services are started on the target host. */
export type InitSystem = "systemd" | "upstart" | "sysv";

/** Compression of the `data.tar` member (`control.tar` is always gzip). */
export type DebCompression = "gzip" | "xz" | "zstd";

/** What deploykit knows about one distribution release. */
export interface DebTargetInfo {
  /** The init system the release boots with. */
  init: InitSystem;
  /** The dpkg version it ships, for messages. */
  dpkg: string;
  /** Whether that dpkg reads a zstd-compressed `data.tar.zst`. */
  zstd: boolean;
}

/**
 * Distribution releases a package can target (`--target`, pkgr's `--force-os`). Ubuntu 12.04
 * ships dpkg 1.16.1 and upstart; zstd members need dpkg >= 1.21.18 (Ubuntu patched it in from 21.10).
 */
export const DEB_TARGETS = {
  "ubuntu-12.04": { init: "upstart", dpkg: "1.16.1", zstd: false },
  "ubuntu-14.04": { init: "upstart", dpkg: "1.17.5", zstd: false },
  "ubuntu-16.04": { init: "systemd", dpkg: "1.18.4", zstd: false },
  "ubuntu-18.04": { init: "systemd", dpkg: "1.19.0.5", zstd: false },
  "ubuntu-20.04": { init: "systemd", dpkg: "1.19.7", zstd: false },
  "ubuntu-22.04": { init: "systemd", dpkg: "1.21.1", zstd: true },
  "ubuntu-24.04": { init: "systemd", dpkg: "1.22.6", zstd: true },
  "debian-8": { init: "systemd", dpkg: "1.17.27", zstd: false },
  "debian-9": { init: "systemd", dpkg: "1.18.26", zstd: false },
  "debian-10": { init: "systemd", dpkg: "1.19.8", zstd: false },
  "debian-11": { init: "systemd", dpkg: "1.20.13", zstd: false },
  "debian-12": { init: "systemd", dpkg: "1.21.22", zstd: true },
} as const satisfies Record<string, DebTargetInfo>;

/** A distribution release deploykit can build a `.deb` for. */
export type DebTarget = keyof typeof DEB_TARGETS;

/** The settings a package is built with once target, init system and compression are reconciled. */
export interface ResolvedTarget {
  target?: DebTarget;
  init: InitSystem;
  compression: DebCompression;
}

/**
 * Picks the init system (explicit `init`, else the target's, else systemd) and checks that the
 * target's dpkg reads the requested compression.
 *
 * @throws `DeployKitError` `E_INVALID_INPUT` for an unknown target, or zstd for a dpkg that cannot read it.
 */
export function resolveTarget(
  target?: string,
  init?: InitSystem,
  compression: DebCompression = "gzip",
): ResolvedTarget {
  if (target !== undefined && !Object.hasOwn(DEB_TARGETS, target)) {
    throw new DeployKitError("E_INVALID_INPUT", `Unknown .deb target "${target}".`, {
      hint: `Use one of: ${Object.keys(DEB_TARGETS).join(", ")}.`,
      details: { target },
    });
  }
  const info: DebTargetInfo | undefined = target === undefined ? undefined : DEB_TARGETS[target as DebTarget];
  if (compression === "zstd" && !info?.zstd) {
    const why =
      info === undefined
        ? "no --target was given, so deploykit cannot tell whether the host's dpkg reads zstd"
        : `${target} ships dpkg ${info.dpkg}, which cannot read zstd members (dpkg >= 1.21.18 can)`;
    throw new DeployKitError("E_INVALID_INPUT", `Refusing to compress data.tar with zstd: ${why}.`, {
      hint: "Use gzip (the portable default) or xz, or target a release whose dpkg reads zstd (debian-12, ubuntu-22.04).",
      details: { target, compression },
    });
  }
  return { target: target as DebTarget | undefined, init: init ?? info?.init ?? "systemd", compression };
}
