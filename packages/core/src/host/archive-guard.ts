import { createReadStream } from "node:fs";
import { Transform, type TransformCallback, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { DeployKitError, isDeployKitError } from "../errors";
import { BLOCK, type RawHeader, readHeader, readPax, TYPE_NAMES } from "./tar-header";

const FILE_TYPES = new Set(["0", "\0", "7"]);
const ALLOWED_TYPES = new Set([...FILE_TYPES, "1", "2", "5"]);
/** pax, GNU long name, GNU long link name: they describe the next entry. */
const META_TYPES = new Set(["x", "g", "L", "K"]);
/** A metadata record bigger than this is refused rather than held in memory. */
const MAX_META = 1 << 20;
/** pax keywords that change where or how much GNU tar writes; any other is metadata it may ignore. */
const PAX_LAYOUT = new Set(["path", "linkpath", "size"]);

const unsafe = (file: string, entry: string, why: string) =>
  new DeployKitError("E_UNSAFE_ARCHIVE", `${file} is refused: entry "${entry}" ${why}.`, {
    hint: "Rebuild the artifact with deploykit's buildPackage; never install archives from unknown sources.",
    details: { file, entry, why },
  });

const CLIMBS = "is absolute or climbs out with '..'";

/** The path's `/`-separated parts without `.` and empty ones; `undefined` when absolute or with `..`. */
function partsOf(path: string): string[] | undefined {
  if (path.startsWith("/")) return undefined;
  const parts = path.split("/").filter((part) => part !== "" && part !== ".");
  return parts.includes("..") ? undefined : parts;
}

/** Writes `mode & 0o777` into a header block and fixes its checksum (setuid/setgid/sticky dropped). */
function stripSpecialBits(block: Buffer, mode: number): void {
  if ((mode & ~0o777) === 0) return;
  block.write(`${(mode & 0o777).toString(8).padStart(7, "0")}\0`, 100, "latin1");
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148, "latin1");
}

/**
 * The rules an entry must pass before `tar` sees its header: everything lands inside the
 * extraction root. No absolute paths or `..`; nothing written through a symlink, and no symlink
 * replacing a directory that entries were written into; symlinks lead only upwards first (`../`)
 * and stay inside the root, so chains of them cannot escape either; hard links only to in-tree
 * paths not reached through a symlink; files, directories and links only, the last two without
 * a body.
 */
class EntryRules {
  private readonly symlinks = new Set<string>();
  private readonly dirs = new Set<string>();

  /** Why the entry is refused, or `undefined` when it is safe. */
  check(header: RawHeader, path: string, linkpath: string, size: number): string | undefined {
    const type = TYPE_NAMES[header.flag] ?? `of type ${JSON.stringify(header.flag)}`;
    if (!ALLOWED_TYPES.has(header.flag)) return `is a ${type}, which a release never contains`;
    const parts = partsOf(path);
    if (parts === undefined) return CLIMBS;
    const isFile = FILE_TYPES.has(header.flag);
    if (!isFile && size !== 0) return `is a ${type} with a body of ${size} bytes`;
    if (isFile && path.endsWith("/")) return "is a file whose name ends in '/'";
    const key = parts.join("/");
    if (key === "" && header.flag !== "5") return "is the release root itself";
    for (let i = 1; i < parts.length; i++) {
      const prefix = parts.slice(0, i).join("/");
      if (this.symlinks.has(prefix)) return "would be written through a symlink";
      this.dirs.add(prefix);
    }
    if (header.flag === "5") this.dirs.add(key);
    if (header.flag === "2") return this.checkSymlink(key, parts, linkpath);
    if (header.flag === "1") return this.checkHardLink(linkpath);
    return undefined;
  }

  private checkSymlink(key: string, parts: string[], target: string): string | undefined {
    const outside = `is a symlink to ${target}, outside the release`;
    if (target === "" || target.startsWith("/")) return outside;
    if (this.dirs.has(key)) return "is a symlink in place of a directory that has entries";
    const steps = target.split("/").filter((step) => step !== "" && step !== ".");
    const ups = steps.findIndex((step) => step !== "..");
    const climb = ups === -1 ? steps.length : ups;
    if (steps.slice(climb).includes(".."))
      return `is a symlink to ${target}, which climbs back up ('..' after a name)`;
    if (climb > parts.length - 1) return outside;
    this.symlinks.add(key);
    return undefined;
  }

  private checkHardLink(target: string): string | undefined {
    const steps = partsOf(target);
    if (steps === undefined || steps.length === 0) return `is a hard link to ${target}, outside the release`;
    for (let i = 1; i < steps.length; i++) {
      if (this.symlinks.has(steps.slice(0, i).join("/")))
        return `is a hard link to ${target}, through a symlink`;
    }
    return undefined;
  }
}

/**
 * A pass-through for an uncompressed tar stream that hands on each entry's header only after
 * checking it (see the rules above), so the `tar` reading its output never sees a refused
 * entry: the stream fails with `E_UNSAFE_ARCHIVE` before that header. Setuid, setgid and sticky
 * bits are cleared on the way. Only headers are looked at: file bodies flow through as they came.
 * The output ends at the archive's end-of-archive marker, as GNU tar stops there too.
 */
export function createArchiveGuard(file: string): Transform {
  const rules = new EntryRules();
  let held: Buffer[] = [];
  let heldBytes = 0;
  /** Bytes of the current entry's body (with padding) still to pass through. */
  let bodyLeft = 0;
  /** A metadata record being collected: its type, header and padded length. */
  let meta: { flag: string; header: Buffer; size: number; padded: number } | undefined;
  let pax = new Map<string, string>();
  let longName: string | undefined;
  let longLink: string | undefined;
  let ended = false;

  const take = (length: number): Buffer => {
    const all = held.length === 1 ? (held[0] as Buffer) : Buffer.concat(held, heldBytes);
    const out = all.subarray(0, length);
    const rest = all.subarray(length);
    held = rest.length > 0 ? [rest] : [];
    heldBytes = rest.length;
    return out;
  };

  const refuse = (entry: string, why: string) => unsafe(file, entry, why);

  /** Reads a metadata record's body into the pending state. */
  function applyMeta(flag: string, body: Buffer, name: string): DeployKitError | undefined {
    if (flag === "L" || flag === "K") {
      const end = body.indexOf(0);
      const text = body.toString("latin1", 0, end === -1 ? body.length : end);
      if (flag === "L") longName = text;
      else longLink = text;
      return undefined;
    }
    const records = readPax(body);
    if (typeof records === "string") return refuse(name, records);
    for (const [key, value] of records) {
      if (key.startsWith("GNU."))
        return refuse(name, `has the pax keyword ${key}, which a release never uses`);
      if (PAX_LAYOUT.has(key) && value.includes("\0")) return refuse(name, `has a NUL in its pax ${key}`);
      if (key === "size" && !/^[0-9]{1,15}$/.test(value)) return refuse(name, "has an unreadable pax size");
      if (flag === "g" && PAX_LAYOUT.has(key))
        return refuse(name, `sets ${key} for every entry (global pax header)`);
      if (flag === "x") pax.set(key, value);
    }
    return undefined;
  }

  /** Handles one header block; returns what to hand on, or throws the refusal. */
  function onHeader(block: Buffer): Buffer[] {
    if (block.every((byte) => byte === 0)) {
      ended = true;
      return [Buffer.alloc(2 * BLOCK)];
    }
    const header = readHeader(block);
    if (typeof header === "string")
      throw refuse(block.toString("latin1", 0, 100).replace(/\0.*$/s, ""), header);
    if (META_TYPES.has(header.flag)) {
      if (header.size > MAX_META) throw refuse(header.name, `has a ${header.size}-byte metadata record`);
      const taken = (header.flag === "x" && pax.size > 0) || (header.flag === "L" && longName !== undefined);
      if (taken || (header.flag === "K" && longLink !== undefined)) {
        throw refuse(header.name, "repeats a metadata record for one entry");
      }
      meta = {
        flag: header.flag,
        header: block,
        size: header.size,
        padded: Math.ceil(header.size / BLOCK) * BLOCK,
      };
      return [];
    }
    const paxPath = pax.get("path");
    const paxLink = pax.get("linkpath");
    if (
      (paxPath !== undefined && longName !== undefined) ||
      (paxLink !== undefined && longLink !== undefined)
    ) {
      throw refuse(header.name, "names itself twice (pax and GNU long-name records)");
    }
    const path = paxPath ?? longName ?? header.name;
    const linkpath = paxLink ?? longLink ?? header.linkname;
    const paxSize = pax.get("size");
    const size = paxSize !== undefined ? Number(paxSize) : header.size;
    pax = new Map();
    longName = undefined;
    longLink = undefined;
    const why = rules.check(header, path, linkpath, size);
    if (why) throw refuse(path, why);
    stripSpecialBits(block, header.mode);
    bodyLeft = FILE_TYPES.has(header.flag) ? Math.ceil(size / BLOCK) * BLOCK : 0;
    return [block];
  }

  return new Transform({
    transform(chunk: Buffer, _encoding, done: TransformCallback) {
      if (ended) return done();
      held.push(chunk);
      heldBytes += chunk.length;
      try {
        while (heldBytes > 0 && !ended) {
          if (bodyLeft > 0) {
            const out = take(Math.min(bodyLeft, heldBytes));
            bodyLeft -= out.length;
            this.push(out);
          } else if (meta) {
            if (heldBytes < meta.padded) break;
            const body = take(meta.padded);
            const problem = applyMeta(
              meta.flag,
              body.subarray(0, meta.size),
              meta.header.toString("latin1", 0, 100),
            );
            if (problem) throw problem;
            this.push(Buffer.concat([meta.header, body]));
            meta = undefined;
          } else {
            if (heldBytes < BLOCK) break;
            for (const out of onHeader(Buffer.from(take(BLOCK)))) this.push(out);
          }
        }
        done();
      } catch (error) {
        done(error as Error);
      }
    },
    flush(done: TransformCallback) {
      if (ended) return done();
      if (bodyLeft > 0 || meta || heldBytes > 0 || pax.size > 0 || longName !== undefined) {
        return done(refuse("(end)", "is cut off: the archive is truncated"));
      }
      this.push(Buffer.alloc(2 * BLOCK));
      done();
    },
  });
}

/**
 * Reads every entry header of a `.tgz` through {@link createArchiveGuard} and refuses the
 * archive (`E_UNSAFE_ARCHIVE`) when any entry could land outside the extraction root: absolute
 * paths, `..`, symlinks whose target leaves the root, entries under a symlink, hard links to
 * paths outside, device files and FIFOs. Nothing is written.
 */
export async function assertSafeArchive(file: string): Promise<void> {
  const discard = new Writable({ write: (_chunk, _encoding, done) => done() });
  try {
    await pipeline(createReadStream(file), createGunzip(), createArchiveGuard(file), discard);
  } catch (cause) {
    throw asUnpackError(file, cause);
  }
}

/** Errors of reading an archive: the guard's own pass through, others (bad gzip...) become `E_UNSAFE_ARCHIVE`. */
export function asUnpackError(file: string, cause: unknown): DeployKitError {
  if (isDeployKitError(cause)) return cause;
  return new DeployKitError("E_UNSAFE_ARCHIVE", `Could not unpack ${file}: ${(cause as Error).message}`, {
    cause,
    hint: "The artifact is damaged or unsafe; rebuild and republish it.",
    details: { file },
  });
}
