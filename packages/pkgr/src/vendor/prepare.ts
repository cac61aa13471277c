import { cp, mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { EventSink, ProcessRunner } from "@deploykit/core";
import { extractArchive, singleTopFolder } from "./archive";
import { buildFromSource } from "./build";
import { installGem } from "./gem";
import type { VendorSource } from "./plan";
import type { VendorKind } from "./types";
import { missingFromRuntime } from "./validate";

/** What {@link prepareRuntime} works with. */
export interface PrepareContext {
  kind: VendorKind;
  version: string;
  runner: ProcessRunner;
  /** A private scratch directory, removed by the caller. */
  scratch: string;
  configureArgs: readonly string[];
  makeArgs: readonly string[];
  onEvent?: EventSink;
  signal?: AbortSignal;
}

/**
 * An unpacked archive's runtime root: the extraction folder itself when the runtime already
 * sits there, else its single top-level folder (`ruby-2.2.4/bin/ruby`), else the folder as is
 * (validation then says what is missing).
 */
async function unpackedRoot(dir: string, ctx: PrepareContext): Promise<string> {
  if ((await missingFromRuntime(dir, ctx.kind, ctx.version)).length === 0) return dir;
  return (await singleTopFolder(dir)) ?? dir;
}

/**
 * Turns the input into a directory holding the runtime at its root: a directory is used in
 * place, an archive is unpacked, a `.gem` installed, a source tree configured, built and
 * installed into a fresh prefix.
 */
export async function prepareRuntime(source: VendorSource, ctx: PrepareContext): Promise<string> {
  const { runner, scratch, onEvent, signal } = ctx;
  switch (source.type) {
    case "directory":
      return source.path;
    case "archive": {
      const dir = join(scratch, "unpacked");
      await extractArchive(runner, source.tar, source.path, source.compression, dir, signal);
      return unpackedRoot(dir, ctx);
    }
    case "gem": {
      const dir = join(scratch, "gem-home");
      await mkdir(dir);
      await installGem(runner, source.gem, source.path, dir, onEvent, signal);
      return dir;
    }
    case "build": {
      const tree = join(scratch, "source");
      if (source.archive) {
        await extractArchive(
          runner,
          source.archive.tar,
          source.path,
          source.archive.compression,
          tree,
          signal,
        );
      } else {
        await cp(source.path, tree, { recursive: true, verbatimSymlinks: true });
      }
      const prefix = join(scratch, "prefix");
      await buildFromSource({
        runner,
        make: source.make,
        ...(source.autoreconf ? { autoreconf: source.autoreconf } : {}),
        sourceDir: (source.archive && (await singleTopFolder(tree))) || tree,
        prefix,
        configureArgs: ctx.configureArgs,
        makeArgs: ctx.makeArgs,
        input: source.path,
        onEvent,
        signal,
      });
      return prefix;
    }
  }
}
