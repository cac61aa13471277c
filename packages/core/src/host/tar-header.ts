/**
 * Strict reading of tar header blocks, as GNU tar reads them (ustar, old GNU and v7 layouts; pax
 * and GNU long-name records). Anything GNU tar could read in more than one way is reported as
 * `problem` instead of guessed at, so the archive guard never judges an entry by a different
 * name, type or size than the `tar` that unpacks it.
 */

export const BLOCK = 512;

/** Entry types by typeflag, with node-tar's names (used in messages). */
export const TYPE_NAMES: Record<string, string> = {
  "0": "File",
  "\0": "OldFile",
  "7": "ContiguousFile",
  "1": "Link",
  "2": "SymbolicLink",
  "3": "CharacterDevice",
  "4": "BlockDevice",
  "5": "Directory",
  "6": "FIFO",
  x: "ExtendedHeader",
  g: "GlobalExtendedHeader",
  L: "NextFileHasLongPath",
  K: "NextFileHasLongLinkpath",
  D: "GNUDumpDir",
  M: "ContinuationFile",
  N: "OldGnuLongPath",
  S: "SparseFile",
  V: "GNUVolumeHeader",
  X: "OldExtendedHeader",
};

/** One header block, decoded. */
export interface RawHeader {
  /** The typeflag character. */
  flag: string;
  /** ustar name (with its prefix where the layout has one), bytes as latin1. */
  name: string;
  linkname: string;
  size: number;
  mode: number;
}

/** A C string from a fixed-size field: up to the first NUL, bytes as latin1. */
function cString(block: Buffer, offset: number, length: number): string {
  const field = block.subarray(offset, offset + length);
  const end = field.indexOf(0);
  return field.toString("latin1", 0, end === -1 ? length : end);
}

/**
 * A numeric field: octal digits after optional spaces, ended by NUL or space (GNU tar's reading),
 * or GNU's positive base-256. `undefined` when it is anything else.
 */
export function numeric(block: Buffer, offset: number, length: number): number | undefined {
  const field = block.subarray(offset, offset + length);
  if ((field[0] as number) === 0x80) {
    let value = 0;
    for (let i = 1; i < length; i++) value = value * 256 + (field[i] as number);
    return Number.isSafeInteger(value) ? value : undefined;
  }
  const text = field.toString("latin1");
  const match = /^ *([0-7]+)[ \0]*$/.exec(text);
  return match ? Number.parseInt(match[1] as string, 8) : undefined;
}

/** True when the block's checksum matches (unsigned or signed sum, as GNU tar accepts). */
function checksumOk(block: Buffer): boolean {
  const stored = numeric(block, 148, 8);
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const byte = i >= 148 && i < 156 ? 0x20 : (block[i] as number);
    unsigned += byte;
    signed += byte > 127 ? byte - 256 : byte;
  }
  return stored === unsigned || stored === signed;
}

/** Decodes a header block; a string says why it cannot be trusted. */
export function readHeader(block: Buffer): RawHeader | string {
  if (!checksumOk(block)) return "has a damaged header (checksum mismatch)";
  const flag = String.fromCharCode(block[156] as number);
  const size = numeric(block, 124, 12);
  const mode = numeric(block, 100, 8);
  if (size === undefined || mode === undefined) return "has an unreadable size or mode field";
  const magic = block.toString("latin1", 257, 265);
  let name = cString(block, 0, 100);
  if (magic.startsWith("ustar\0")) {
    const prefix = block.subarray(345, 500);
    const end = prefix.indexOf(0);
    // A prefix with bytes after its end could be read as star's shorter prefix: ambiguous.
    if (end !== -1 && prefix.subarray(end).some((byte) => byte !== 0)) return "has an ambiguous name prefix";
    if (end !== 0) name = `${prefix.toString("latin1", 0, end === -1 ? 155 : end)}/${name}`;
  }
  return { flag, name, linkname: cString(block, 157, 100), size, mode };
}

/**
 * The records of a pax extended header (`"<len> <key>=<value>\n"`, exactly filling `body`).
 * A string says why it is malformed.
 */
export function readPax(body: Buffer): Map<string, string> | string {
  const records = new Map<string, string>();
  let pos = 0;
  while (pos < body.length) {
    const space = body.indexOf(0x20, pos);
    const lengthText = space === -1 ? "" : body.toString("latin1", pos, space);
    const length = /^[1-9][0-9]{0,8}$/.test(lengthText) ? Number(lengthText) : 0;
    const end = pos + length;
    if (length === 0 || end > body.length || body[end - 1] !== 0x0a) return "has a malformed pax header";
    const record = body.toString("latin1", space + 1, end - 1);
    const equals = record.indexOf("=");
    if (equals <= 0) return "has a malformed pax header";
    records.set(record.slice(0, equals), record.slice(equals + 1));
    pos = end;
  }
  return records;
}
