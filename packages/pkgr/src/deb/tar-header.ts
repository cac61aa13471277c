/**
 * GNU tar headers, written by hand so that no PAX (`x`/`g`) header can ever appear: dpkg
 * 1.16.1 (Ubuntu 12.04) knows only typeflags `0`-`6`, `K` and `L`. Long names and link targets
 * get GNU `././@LongLink` records; sizes of 8 GiB and more use GNU base-256.
 */

/** The kinds of tar entries a package holds. */
export type TarEntryType = "file" | "dir" | "symlink" | "hardlink";

/** What one header describes. `name` is the full archive name (`./opt/app/x`, dirs end in `/`). */
export interface TarHeaderFields {
  name: string;
  type: TarEntryType;
  mode: number;
  size: number;
  mtime: number;
  linkTarget?: string;
}

/** Size of a tar block. */
export const BLOCK = 512;
/** GNU tar writes names of this many bytes or more through a `L` record (always NUL-terminated). */
const NAME_FIELD = 100;
const OCTAL_SIZE_LIMIT = 8 ** 11;
const TYPEFLAG: Record<TarEntryType, string> = { file: "0", hardlink: "1", dir: "5", symlink: "2" };

function writeString(block: Buffer, offset: number, length: number, value: Buffer | string): void {
  const bytes = typeof value === "string" ? Buffer.from(value, "utf8") : value;
  bytes.copy(block, offset, 0, Math.min(bytes.length, length));
}

function writeOctal(block: Buffer, offset: number, length: number, value: number): void {
  block.write(`${value.toString(8).padStart(length - 1, "0")}\0`, offset, length, "latin1");
}

function writeSize(block: Buffer, value: number): void {
  if (value < OCTAL_SIZE_LIMIT) {
    writeOctal(block, 124, 12, value);
    return;
  }
  // GNU base-256: high bit of the first byte set, big-endian value in the remaining bytes.
  let rest = BigInt(value);
  for (let i = 135; i > 124; i--) {
    block[i] = Number(rest & 0xffn);
    rest >>= 8n;
  }
  block[124] = 0x80;
}

interface RawHeader {
  mode: number;
  size: number;
  mtime: number;
  link?: Buffer;
}

function headerBlock(name: Buffer, typeflag: string, fields: RawHeader): Buffer {
  const block = Buffer.alloc(BLOCK);
  writeString(block, 0, NAME_FIELD, name);
  writeOctal(block, 100, 8, fields.mode);
  writeOctal(block, 108, 8, 0);
  writeOctal(block, 116, 8, 0);
  writeSize(block, fields.size);
  writeOctal(block, 136, 12, fields.mtime);
  block.fill(0x20, 148, 156);
  block.write(typeflag, 156, 1, "latin1");
  if (fields.link) writeString(block, 157, NAME_FIELD, fields.link);
  block.write("ustar  \0", 257, 8, "latin1");
  writeString(block, 265, 32, "root");
  writeString(block, 297, 32, "root");
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148, 8, "latin1");
  return block;
}

/** Zero bytes that pad `size` up to a whole number of blocks. */
export function padding(size: number): Buffer {
  const rest = size % BLOCK;
  return Buffer.alloc(rest === 0 ? 0 : BLOCK - rest);
}

function longLinkRecord(typeflag: "L" | "K", value: Buffer): Buffer[] {
  const data = Buffer.concat([value, Buffer.alloc(1)]);
  const header = headerBlock(Buffer.from("././@LongLink"), typeflag, {
    mode: 0o644,
    size: data.length,
    mtime: 0,
  });
  return [header, data, padding(data.length)];
}

/**
 * The blocks that introduce one entry: optional GNU `K`/`L` long-name records, then the
 * entry's own header. File content and its padding follow separately.
 */
export function encodeTarHeader(fields: TarHeaderFields): Buffer {
  const name = Buffer.from(fields.name, "utf8");
  const link = fields.linkTarget === undefined ? undefined : Buffer.from(fields.linkTarget, "utf8");
  const parts: Buffer[] = [];
  if (link && link.length >= NAME_FIELD) parts.push(...longLinkRecord("K", link));
  if (name.length >= NAME_FIELD) parts.push(...longLinkRecord("L", name));
  parts.push(
    headerBlock(name.subarray(0, NAME_FIELD), TYPEFLAG[fields.type], {
      mode: fields.mode,
      size: fields.type === "file" ? fields.size : 0,
      mtime: fields.mtime,
      link: link?.subarray(0, NAME_FIELD),
    }),
  );
  return parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts);
}

/** The two zero blocks that end an archive. */
export const END_OF_ARCHIVE = Buffer.alloc(2 * BLOCK);
