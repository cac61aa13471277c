import { createReadStream } from "node:fs";
import { access, mkdir, readdir } from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { DeployKitError } from "@deploykit/core";
import { extract } from "tar";
import { displayUrl } from "./spec";

/**
 * Extracts a buildpack tarball (an http(s) URL or a local path) into `into` and returns the
 * buildpack root: `into` itself, or its single top-level folder when the archive wraps one
 * (as GitHub's tarballs do).
 */
export async function fetchTarballBuildpack(
  url: string,
  into: string,
  signal: AbortSignal | undefined,
): Promise<string> {
  await mkdir(into, { recursive: true });
  try {
    let source: Readable;
    if (/^https?:\/\//i.test(url)) {
      const response = await fetch(url, { signal: signal ?? null });
      if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`);
      source = Readable.fromWeb(response.body as import("node:stream/web").ReadableStream);
    } else {
      source = createReadStream(url.replace(/^file:\/\//, ""));
    }
    await pipeline(source, extract({ cwd: into }));
  } catch (cause) {
    throw new DeployKitError(
      "E_BUILDPACK_FETCH",
      `Could not fetch buildpack ${displayUrl(url)}: ${String(cause)}.`,
      {
        cause,
        hint: "Check that the tarball URL or path exists and is a .tgz.",
        details: { url: displayUrl(url) },
      },
    );
  }
  const top = await readdir(into, { withFileTypes: true });
  const only = top.length === 1 && top[0]?.isDirectory() ? join(into, top[0].name) : undefined;
  const hasBin = await access(join(into, "bin")).then(
    () => true,
    () => false,
  );
  return only && !hasBin ? only : into;
}
