import { gzipSync } from "node:zlib";
import type { MaintainerScripts } from "./maintainer-scripts";
import { END_OF_ARCHIVE, encodeTarHeader, padding } from "./tar-header";

/** The members of `control.tar.gz`. */
export interface ControlMembers {
  control: string;
  md5sums: string[];
  conffiles: string[];
  scripts: MaintainerScripts;
}

/**
 * Builds `control.tar.gz` in memory (it is small): `./`, `control`, `md5sums`, `conffiles`
 * (only when there are any), then the maintainer scripts (0755). Always gzip, because dpkg
 * before 1.17.6 (Ubuntu 12.04 ships 1.16.1) reads nothing else.
 */
export function buildControlTar(
  members: ControlMembers,
  mtime: number,
  onTarData?: (chunk: Buffer) => void,
): Buffer {
  const parts: Buffer[] = [encodeTarHeader({ name: "./", type: "dir", mode: 0o755, size: 0, mtime })];
  const add = (name: string, text: string, mode: number) => {
    const data = Buffer.from(text, "utf8");
    parts.push(
      encodeTarHeader({ name: `./${name}`, type: "file", mode, size: data.length, mtime }),
      data,
      padding(data.length),
    );
  };
  add("control", members.control, 0o644);
  add("md5sums", members.md5sums.map((line) => `${line}\n`).join(""), 0o644);
  if (members.conffiles.length > 0)
    add("conffiles", members.conffiles.map((path) => `${path}\n`).join(""), 0o644);
  for (const name of ["preinst", "postinst", "prerm", "postrm"] as const) {
    const text = members.scripts[name];
    if (text !== undefined) add(name, text, 0o755);
  }
  parts.push(END_OF_ARCHIVE);
  const tar = Buffer.concat(parts);
  onTarData?.(tar);
  return gzipSync(tar, { level: 9 });
}
