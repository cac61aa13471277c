import { createHash } from "node:crypto";
import { cp, mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ArtifactStore, publish, type ReleaseManifest } from "@deploykit/core";
import { execa } from "execa";
import { create } from "tar";
import { fixture } from "./host";

/** What a published fixture release looks like. */
export interface FixtureRelease {
  crash?: boolean;
  processes?: Record<string, string>;
  /** A buildpack folder whose `bin/compile` runs on the tree before it is packed (as pkgr runs it). */
  buildpack?: string;
}

/** The shared fixture buildpack that vendors `dk-node`, `dk-unicorn`, `dk-sidekiq` behind `.profile.d`. */
export const vendoringBuildpack = new URL("../../../../test-support/buildpacks/vendoring/", import.meta.url)
  .pathname;

/**
 * Packs a fixture app (plus a VERSION file, and a CRASH file when asked) into a .tgz and
 * publishes it, so tests drive core's real `deploy()` against real releases.
 */
export async function publishFixture(
  store: ArtifactStore,
  app: string,
  fixtureName: string,
  version: string,
  options: FixtureRelease = {},
): Promise<ReleaseManifest> {
  const work = await mkdtemp(join(tmpdir(), "dk-fixture-"));
  try {
    const tree = join(work, "tree");
    await cp(fixture(fixtureName), tree, { recursive: true });
    await writeFile(join(tree, "VERSION"), `${version}\n`);
    if (options.crash) await writeFile(join(tree, "CRASH"), "1\n");
    if (options.buildpack) {
      await mkdir(join(work, "cache"));
      await mkdir(join(work, "env"));
      await execa(join(options.buildpack, "bin/compile"), [tree, join(work, "cache"), join(work, "env")]);
    }
    const file = `${app}-${version}.tgz`;
    const path = join(work, file);
    await create({ gzip: true, cwd: tree, file: path, portable: true }, ["."]);
    const bytes = await readFile(path);
    const manifest: ReleaseManifest = {
      schemaVersion: 1,
      app,
      version,
      format: "tgz",
      artifact: {
        file,
        size: (await stat(path)).size,
        sha256: createHash("sha256").update(bytes).digest("hex"),
      },
      createdAt: new Date().toISOString(),
      build: { buildpacks: [] },
      processes: options.processes ?? { web: "node server.js" },
    };
    await publish({ path, manifest }, { store });
    return manifest;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
