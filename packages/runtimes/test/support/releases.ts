import { cp, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type ArtifactStore, publish, type ReleaseManifest } from "@deploykit/core";
import { execa } from "execa";
import { packRelease } from "../../../../test-support/release";
import { tempDir } from "../../../../test-support/temp-dir";
import { fixture } from "./host";

/** What a published fixture release looks like. */
export interface FixtureRelease {
  crash?: boolean;
  /** A HANG file: the fixture app runs but never listens (node-app) or never boots (rack-app, sidekiq-app). */
  hang?: boolean;
  /** Milliseconds the node-app fixture answers 500 to everything after it boots (a WARMUP file). */
  warmupMs?: number;
  processes?: Record<string, string>;
  /** A buildpack folder whose `bin/compile` runs on the tree before it is packed (as pkgr runs it). */
  buildpack?: string;
}

/** The shared fixture buildpack that vendors `dk-node`, `dk-unicorn`, `dk-sidekiq` behind `.profile.d`. */
export const vendoringBuildpack = new URL("../../../../test-support/buildpacks/vendoring/", import.meta.url)
  .pathname;

/**
 * Packs a fixture app (plus a VERSION file, and a CRASH or HANG file when asked) into a .tgz and
 * publishes it, so tests drive core's real `deploy()` against real releases.
 */
export async function publishFixture(
  store: ArtifactStore,
  app: string,
  fixtureName: string,
  version: string,
  options: FixtureRelease = {},
): Promise<ReleaseManifest> {
  const { dir: work, cleanup } = await tempDir("dk-fixture-");
  try {
    const tree = join(work, "tree");
    await cp(fixture(fixtureName), tree, { recursive: true });
    await writeFile(join(tree, "VERSION"), `${version}\n`);
    if (options.crash) await writeFile(join(tree, "CRASH"), "1\n");
    if (options.hang) await writeFile(join(tree, "HANG"), "1\n");
    if (options.warmupMs !== undefined) await writeFile(join(tree, "WARMUP"), `${options.warmupMs}\n`);
    if (options.buildpack) {
      await mkdir(join(work, "cache"));
      await mkdir(join(work, "env"));
      await execa(join(options.buildpack, "bin/compile"), [tree, join(work, "cache"), join(work, "env")]);
    }
    const pkg = await packRelease({
      tree,
      dir: work,
      app,
      version,
      processes: options.processes ?? { web: "node server.js" },
    });
    await publish(pkg, { store });
    return pkg.manifest;
  } finally {
    await cleanup();
  }
}
