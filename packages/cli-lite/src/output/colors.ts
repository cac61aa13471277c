import picocolors from "picocolors";

/** The colour functions the reporters use (no-ops when colour is off). */
export type Colors = ReturnType<typeof picocolors.createColors>;

/**
 * Whether to colour output written to `stream`. Follows no-color.org: only a NON-EMPTY
 * `NO_COLOR` turns colour off (`NO_COLOR=` does not). A non-empty `FORCE_COLOR` other than
 * `0`/`false` turns it on; otherwise colour is used on a terminal that is not `TERM=dumb`.
 */
export function colorEnabled(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR) return false;
  const force = env.FORCE_COLOR;
  if (force) return force !== "0" && force !== "false";
  return stream.isTTY === true && env.TERM !== "dumb";
}

/** Colour functions for `stream` (see {@link colorEnabled}). */
export const colorsFor = (stream: { isTTY?: boolean }): Colors =>
  picocolors.createColors(colorEnabled(stream));
