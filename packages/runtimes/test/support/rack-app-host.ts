import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type ArtifactStore,
  createFsStore,
  type DeployOptions,
  type DeployResult,
  deploy,
  type RuntimeStrategy,
  strategyContext,
} from "@deploykit/core";
import { type UnicornOptions, unicorn } from "@deploykit/runtimes";
import { fixture, freePort } from "./host";
import { type FixtureRelease, publishFixture } from "./releases";

/** A temp host for the unicorn() tests: the rack-app fixture's unicorn.rb under `shared/`. */
export interface RackAppHost {
  work: string;
  root: string;
  port: number;
  store: ArtifactStore;
  /** unicorn() run from `shared/unicorn.rb` with 2 workers, plus `options`. */
  unicorn(options?: UnicornOptions): RuntimeStrategy;
  /** deploy() of `version` of app `rack` with `strategy`, the env unicorn.rb reads, and `extra`. */
  deploy(version: string, strategy: RuntimeStrategy, extra?: Partial<DeployOptions>): Promise<DeployResult>;
  /** Stops the unicorn master under the root, then removes the temp dir. */
  dispose(): Promise<void>;
}

/**
 * Sets up a {@link RackAppHost}: the fixture published as each of `releases`; `config` may
 * rewrite the fixture's unicorn.rb first.
 */
export async function rackAppHost(
  prefix: string,
  releases: [version: string, options: FixtureRelease][],
  config: (text: string) => string = (text) => text,
): Promise<RackAppHost> {
  const work = await mkdtemp(join(tmpdir(), prefix));
  const root = join(work, "host");
  const port = await freePort();
  const store = createFsStore({ dir: join(work, "store") });
  await mkdir(join(root, "shared"), { recursive: true });
  const configFile = join(root, "shared", "unicorn.rb");
  await writeFile(configFile, config(await readFile(join(fixture("rack-app"), "unicorn.rb"), "utf8")));
  for (const [version, options] of releases)
    await publishFixture(store, "rack", "rack-app", version, { processes: {}, ...options });
  const strategyWith = (options: UnicornOptions = {}) =>
    unicorn({ workers: 2, startCommand: `unicorn -E none -D -c ${configFile}`, ...options });
  return {
    work,
    root,
    port,
    store,
    unicorn: strategyWith,
    deploy: (version, strategy, extra = {}) =>
      deploy({
        store,
        app: "rack",
        version,
        root,
        strategy,
        env: { DK_ROOT: root, DK_PORT: String(port) },
        ...extra,
      }),
    async dispose() {
      const release = { version: "x", dir: join(root, "current"), manifest: {} as never };
      await strategyWith().stop?.(strategyContext({ app: "rack", root, release }));
      await rm(work, { recursive: true, force: true });
    },
  };
}
