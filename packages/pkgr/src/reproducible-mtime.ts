/**
 * The one source of reproducible timestamps in pkgr: every archive entry of a build (`.tgz` and
 * `.deb`, whose changelog and ar headers use it too) gets the same mtime, so the same tree gives
 * the same bytes.
 */

/** The mtime used when neither an explicit time nor `SOURCE_DATE_EPOCH` is given. */
export const DEFAULT_MTIME = new Date("2000-01-01T00:00:00Z");

/**
 * Vendored runtime tarballs keep the Unix epoch: their bytes must not change between deploykit
 * versions, or re-vendoring an already published runtime would be `E_VERSION_EXISTS`.
 */
export const VENDOR_MTIME = new Date(0);

/**
 * The build's timestamp: `explicit` when given, else `$SOURCE_DATE_EPOCH` (whole seconds, the
 * reproducible-builds.org convention), else {@link DEFAULT_MTIME}.
 */
export function reproducibleMtime(explicit?: Date): Date {
  if (explicit) return explicit;
  const epoch = process.env.SOURCE_DATE_EPOCH;
  if (epoch && /^\d+$/.test(epoch)) return new Date(Number(epoch) * 1000);
  return DEFAULT_MTIME;
}
