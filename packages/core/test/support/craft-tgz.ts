import { createHash } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { gzipSync } from "node:zlib";
import { type ArtifactStore, publish, type ReleaseManifest } from "@deploykit/core";
import { Header } from "tar";

/** One raw entry for {@link craftTgz}. */
export interface RawEntry {
  path: string;
  type: "File" | "Directory" | "SymbolicLink" | "Link" | "CharacterDevice" | "FIFO";
  linkpath?: string;
  body?: string;
  mode?: number;
  /** The header's size field when it should lie about the body (default: the body's length). */
  size?: number;
  /** pax records written in an extended header before the entry. */
  pax?: Record<string, string>;
}

/**
 * Writes a .tgz with exactly these headers, no normalisation: the hostile archives a safe
 * extractor must refuse (node-tar's own writer would clean them up).
 */
export async function craftTgz(file: string, entries: RawEntry[]): Promise<void> {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    if (entry.pax) {
      const records = Object.entries(entry.pax)
        .map(([key, value]) => {
          const text = ` ${key}=${value}\n`;
          let length = text.length + 1;
          while (`${length}${text}`.length !== length) length += 1;
          return `${length}${text}`;
        })
        .join("");
      const paxHeader = Buffer.alloc(512);
      new Header({ path: "PaxHeader/x", type: "ExtendedHeader", size: records.length, mode: 0o644 }).encode(
        paxHeader,
      );
      const body = Buffer.from(records);
      blocks.push(paxHeader, body, Buffer.alloc((512 - (body.length % 512)) % 512));
    }
    const body = Buffer.from(entry.body ?? "");
    const header = new Header({
      path: entry.path,
      type: entry.type,
      linkpath: entry.linkpath ?? "",
      mode: entry.mode ?? (entry.type === "Directory" ? 0o755 : 0o644),
      size: entry.size ?? (entry.type === "File" ? body.length : 0),
      mtime: new Date(0),
      uid: 0,
      gid: 0,
    });
    const block = Buffer.alloc(512);
    header.encode(block);
    blocks.push(block);
    if (entry.type === "File" && body.length) {
      blocks.push(body, Buffer.alloc((512 - (body.length % 512)) % 512));
    }
  }
  blocks.push(Buffer.alloc(1024));
  await writeFile(file, gzipSync(Buffer.concat(blocks)));
}

/** Crafts `file` (named `evil-1.0.0.tgz`) from `entries` and publishes it to `store` as evil 1.0.0. */
export async function publishCrafted(store: ArtifactStore, file: string, entries: RawEntry[]): Promise<void> {
  await craftTgz(file, entries);
  const bytes = await readFile(file);
  const manifest: ReleaseManifest = {
    schemaVersion: 1,
    app: "evil",
    version: "1.0.0",
    format: "tgz",
    artifact: {
      file: "evil-1.0.0.tgz",
      size: bytes.length,
      sha256: createHash("sha256").update(bytes).digest("hex"),
    },
    createdAt: new Date(0).toISOString(),
    build: { buildpacks: [] },
    processes: {},
  };
  await publish({ path: file, manifest }, { store });
}
