import { randomBytes } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { DeployKitError, hashingStream, step, throwIfAborted } from "@deploykit/core";
import { AR_MAGIC, arMemberHeader, arPadding } from "./ar";
import { COMPRESSION_EXTENSION } from "./compress";
import { renderControl } from "./control-file";
import { buildControlTar } from "./control-tar";
import { writeDataTar } from "./data-tar";
import { completeTree, type DebEntry } from "./entries";
import { layoutPackage } from "./layout";
import type { DebOptions, WrittenDeb } from "./options";
import { resolveDebSpec } from "./spec";

function treeOf(entries: DebEntry[]): DebEntry[] {
  try {
    return completeTree(entries);
  } catch (cause) {
    throw new DeployKitError(
      "E_INVALID_INPUT",
      `The package tree is inconsistent: ${(cause as Error).message}.`,
      {
        cause,
        hint: "Choose a home that does not overlap the files deploykit generates (/etc, /usr/bin, /usr/share).",
      },
    );
  }
}

/**
 * Writes a `.deb` that dpkg 1.16.1 (Ubuntu 12.04) and later read: an `ar` archive of
 * `debian-binary`, `control.tar.gz` and `data.tar.{gz,xz,zst}`, GNU tar inside (never PAX),
 * root:root, `./` names, parents first, fixed mtimes, so the same input gives the same bytes.
 * Memory stays flat: `data.tar` is streamed to a temporary file next to the output, then the
 * archive is assembled around it and renamed into place.
 *
 * @example
 * ```ts
 * const deb = await writeDeb({ appDir: "build/app", outDir: "dist", name: "shop", version: "1.4.2",
 *   iteration: "1", processes: { web: "bundle exec unicorn -p $PORT" }, target: "ubuntu-12.04" });
 * console.log(deb.path, deb.sha256);
 * ```
 * @throws `DeployKitError` `E_INVALID_INPUT` / `E_INVALID_NAME` / `E_INVALID_VERSION` before
 * anything is written; `E_TOOL_MISSING` when xz or zstd is asked for but absent; `E_ABORTED`.
 */
export async function writeDeb(options: DebOptions): Promise<WrittenDeb> {
  const spec = await resolveDebSpec(options);
  const { onEvent, signal } = options;
  throwIfAborted(signal);
  const layout = await step(onEvent, "deb:layout", "Laying out the package", () =>
    layoutPackage(spec, onEvent),
  );
  const entries = treeOf(layout.entries);
  const plainVersion = spec.debVersion.replace(/^\d+:/, "");
  const fileName = `${spec.name}_${plainVersion}_${spec.architecture}.deb`;
  const path = join(spec.outDir, fileName);
  await mkdir(spec.outDir, { recursive: true });
  const tag = randomBytes(6).toString("hex");
  const dataFile = join(spec.outDir, `.${fileName}.${tag}.data`);
  const partFile = join(spec.outDir, `.${fileName}.${tag}.part`);
  try {
    const data = await step(onEvent, "deb:data", "Writing data.tar", () =>
      writeDataTar({
        entries,
        mtime: spec.mtime,
        compression: spec.compression,
        level: spec.level,
        file: dataFile,
        onEvent,
        signal,
        // The build's secret scan sees every uncompressed byte the package installs.
        ...(options.onTarData ? { onTarData: options.onTarData } : {}),
      }),
    );
    const control = renderControl({
      package: spec.name,
      version: spec.debVersion,
      architecture: spec.architecture,
      maintainer: spec.maintainer,
      installedSize: data.installedSize,
      depends: spec.depends,
      section: spec.section,
      homepage: spec.homepage,
      synopsis: spec.synopsis,
      extended: spec.extended,
    });
    const conffiles = entries
      .filter((e) => e.kind === "file" && e.path.startsWith("etc/"))
      .map((e) => `/${e.path}`);
    const controlTar = buildControlTar(
      { control, md5sums: data.md5sums, conffiles, scripts: layout.scripts },
      spec.mtime,
      options.onTarData,
    );
    const dataSize = (await stat(dataFile)).size;
    const dataMember = `data.tar.${COMPRESSION_EXTENSION[spec.compression]}`;
    const prefix = Buffer.concat([
      AR_MAGIC,
      arMemberHeader("debian-binary", 4, spec.mtime),
      Buffer.from("2.0\n", "latin1"),
      arMemberHeader("control.tar.gz", controlTar.length, spec.mtime),
      controlTar,
      arPadding(controlTar.length),
      arMemberHeader(dataMember, dataSize, spec.mtime),
    ]);
    const hashing = hashingStream();
    await step(onEvent, "deb:assemble", `Assembling ${fileName}`, async () => {
      async function* archive(): AsyncGenerator<Buffer> {
        yield prefix;
        yield* createReadStream(dataFile, { highWaterMark: 1 << 20 });
        yield arPadding(dataSize);
      }
      await pipeline(archive, hashing, createWriteStream(partFile), { signal }).catch((error: unknown) => {
        throwIfAborted(signal);
        throw error;
      });
      await rename(partFile, path);
    });
    return {
      path,
      fileName,
      size: prefix.length + dataSize + (dataSize % 2),
      sha256: hashing.digest(),
      debVersion: spec.debVersion,
      architecture: spec.architecture,
      installedSize: data.installedSize,
      init: spec.init,
    };
  } finally {
    await rm(dataFile, { force: true });
    await rm(partFile, { force: true });
  }
}
