import { DeployKitError } from "./errors";
import { parseVersion } from "./names";

/** dpkg's character weight: `~` below everything (even the end), letters below non-letters. */
function weight(char: string | undefined): number {
  if (char === undefined) return 0;
  if (char === "~") return -1;
  if (/[A-Za-z]/.test(char)) return char.charCodeAt(0);
  return char.charCodeAt(0) + 256;
}

/** dpkg's `verrevcmp`: alternate non-digit runs (by weight) and digit runs (numerically). */
function compareFragment(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while ((i < a.length && !/\d/.test(a[i] as string)) || (j < b.length && !/\d/.test(b[j] as string))) {
      const wa = i < a.length && !/\d/.test(a[i] as string) ? weight(a[i]) : 0;
      const wb = j < b.length && !/\d/.test(b[j] as string) ? weight(b[j]) : 0;
      if (wa !== wb) return wa - wb;
      i++;
      j++;
    }
    while (a[i] === "0") i++;
    while (b[j] === "0") j++;
    let firstDiff = 0;
    while (i < a.length && j < b.length && /\d/.test(a[i] as string) && /\d/.test(b[j] as string)) {
      if (firstDiff === 0) firstDiff = (a.charCodeAt(i) as number) - (b.charCodeAt(j) as number);
      i++;
      j++;
    }
    if (i < a.length && /\d/.test(a[i] as string)) return 1;
    if (j < b.length && /\d/.test(b[j] as string)) return -1;
    if (firstDiff !== 0) return firstDiff;
  }
  return 0;
}

/**
 * Orders two Debian versions exactly as `dpkg --compare-versions` does. Returns a negative
 * number, zero or a positive number.
 *
 * @throws {@link DeployKitError} `E_INVALID_VERSION` for a string that is not a Debian version.
 */
export function compareVersions(a: string, b: string): number {
  const pa = parseVersion(a);
  const pb = parseVersion(b);
  if (!pa || !pb) {
    throw new DeployKitError("E_INVALID_VERSION", `Cannot compare "${a}" with "${b}".`, {
      hint: "Both must be Debian versions: [epoch:]upstream[-revision].",
    });
  }
  if (pa.epoch !== pb.epoch) return pa.epoch - pb.epoch;
  return compareFragment(pa.upstream, pb.upstream) || compareFragment(pa.revision, pb.revision);
}
