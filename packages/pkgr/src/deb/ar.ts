/**
 * The common `ar` format dpkg reads: the `!<arch>\n` magic, then members with a 60-byte header
 * each (name, mtime, uid, gid, octal mode, size) and a `\n` pad after odd-sized members.
 */

/** The 8 bytes every `.deb` starts with. */
export const AR_MAGIC = Buffer.from("!<arch>\n", "latin1");

const field = (value: string, width: number) => value.padEnd(width, " ").slice(0, width);

/**
 * The 60-byte header of one member, as dpkg-deb writes it: uid/gid 0, mode 100644.
 *
 * @param name - at most 15 characters (common ar format, no long-name table).
 */
export function arMemberHeader(name: string, size: number, mtime: number): Buffer {
  if (name.length > 15) throw new RangeError(`ar member name too long: ${name}`);
  const text =
    field(name, 16) +
    field(String(mtime), 12) +
    field("0", 6) +
    field("0", 6) +
    field("100644", 8) +
    field(String(size), 10) +
    "`\n";
  return Buffer.from(text, "latin1");
}

/** The pad byte that follows a member of odd size (empty for even sizes). */
export function arPadding(size: number): Buffer {
  return size % 2 === 1 ? Buffer.from("\n", "latin1") : Buffer.alloc(0);
}
