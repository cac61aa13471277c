import type { Stats } from "node:fs";
import { Header, Pax } from "tar";

/** One tar block: headers and padded bodies come in whole blocks. */
export const BLOCK = 512;

/** The entry types the `.tgz` writer stores, with their ustar type flags. */
const TYPE_FLAG = { File: 0x30, Link: 0x31, SymbolicLink: 0x32, Directory: 0x35 } as const;
export type EntryType = keyof typeof TYPE_FLAG;

/** The largest value each numeric field holds as NUL-terminated octal (node-tar's limits). */
const MAX_OCTAL = { 8: 0o7777777, 12: 0o77777777777 } as const;
/** node-tar's test for a string ustar holds as it is: one byte a character. */
const isAscii = (text: string) => Buffer.byteLength(text) === text.length;

/** node-tar's `portable` mode: owner rw always, no group/other write; readable dirs listable. */
function portableMode(mode: number, isDir: boolean): number {
  let out = ((mode & 0o7777) | 0o600) & ~0o22;
  if (isDir) {
    if (out & 0o400) out |= 0o100;
    if (out & 0o40) out |= 0o10;
    if (out & 0o4) out |= 0o1;
  }
  return out;
}

/** Writes ASCII `text` at `offset`; returns the sum of its bytes, for the header checksum. */
function writeAscii(target: Buffer, offset: number, text: string): number {
  target.write(text, offset, "latin1");
  let sum = 0;
  for (let i = 0; i < text.length; i++) sum += text.charCodeAt(i);
  return sum;
}

/** A number as node-tar writes it: octal, zero-padded, then a space and a NUL (or just a NUL if full). */
function octal(value: number, size: 8 | 12): string {
  const digits = Math.floor(value).toString(8);
  return digits.length === size - 1 ? `${digits}\0` : `${"0".repeat(size - digits.length - 2)}${digits} \0`;
}

/** `ustar\0`, version `00`. */
const MAGIC = "ustar\u000000";
/** devmajor and devminor: node-tar writes its default of 0. */
const DEVICE = octal(0, 8);

/** What one entry's header says. */
export interface HeaderFields {
  path: string;
  type: EntryType;
  stat: Stats;
  size: number;
  mtime: Date;
  linkpath?: string;
}

/**
 * Writes the one ustar block of an entry that needs no pax header (an ASCII path under 100
 * bytes, an ASCII link target of at most 100, numbers that fit their octal fields) at
 * `target[offset..offset+512)`, byte for byte what node-tar's `Header.encode` writes for the
 * fields {@link headerBlocks} gives it; returns false, writing nothing, for any other entry.
 * It is node-tar's format without node-tar's per-field objects and strings, which cost more
 * than reading the file for the many small files of an app.
 */
export function writeUstarHeader(target: Buffer, offset: number, fields: HeaderFields): boolean {
  const { path, type, stat, size, linkpath } = fields;
  const mtime = fields.mtime.getTime() / 1000;
  if (path.length >= 100 || !isAscii(path)) return false;
  if (linkpath !== undefined && (linkpath.length > 100 || !isAscii(linkpath))) return false;
  if (size > MAX_OCTAL[12] || mtime < 0 || mtime > MAX_OCTAL[12]) return false;
  const isDir = type === "Directory";
  target.fill(0, offset, offset + BLOCK);
  // The checksum is the sum of all bytes with its own field counted as eight spaces; the block
  // is zeros but for what is written here, so it is summed as it is written.
  let sum = 8 * 0x20;
  sum += writeAscii(target, offset, path);
  sum += writeAscii(target, offset + 100, octal(portableMode(stat.mode, isDir), 8));
  // uid and gid stay empty (all NULs), as node-tar leaves fields it was not given.
  sum += writeAscii(target, offset + 124, octal(size, 12));
  // node-tar's portable mode leaves directory mtimes out.
  if (!isDir) sum += writeAscii(target, offset + 136, octal(mtime, 12));
  target[offset + 156] = TYPE_FLAG[type];
  sum += TYPE_FLAG[type];
  if (linkpath !== undefined) sum += writeAscii(target, offset + 157, linkpath);
  sum += writeAscii(target, offset + 257, MAGIC);
  sum += writeAscii(target, offset + 329, DEVICE);
  sum += writeAscii(target, offset + 337, DEVICE);
  writeAscii(target, offset + 148, octal(sum, 8));
  return true;
}

/**
 * The header block(s) of one entry through node-tar's `Header` and `Pax`: a pax header first
 * when ustar cannot hold it. For the entries {@link writeUstarHeader} declines.
 */
export function headerBlocks(fields: HeaderFields): Buffer[] {
  const { path, type, stat, size, linkpath } = fields;
  const isDir = type === "Directory";
  const mtime = isDir ? undefined : fields.mtime;
  const header = new Header({ path, linkpath, mode: portableMode(stat.mode, isDir), size, mtime, type });
  const needsPax = header.encode();
  const block = header.block as Buffer;
  if (!needsPax) return [block];
  return [new Pax({ mtime, path, linkpath, size }).encode(), block];
}
