import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ArtifactStore, createFsStore, type RuntimeStrategy, strategyContext } from "@deploykit/core";
import { freePort } from "./host";
import { publishFixture } from "./releases";

/** A temp host with the node-app fixture published as 1.0.0, 2.0.0 and a crashing 3.0.0. */
export interface NodeAppHost {
  work: string;
  root: string;
  port: number;
  store: ArtifactStore;
  /** Stops whatever `strategy` runs under the root, runs `afterStop`, then removes the temp dir. */
  dispose(strategy: RuntimeStrategy, afterStop?: () => Promise<unknown>): Promise<void>;
}

/**
 * Sets up a {@link NodeAppHost} for the node() and pm2() load tests; `warmupMs` makes 1.0.0 and
 * 2.0.0 answer 500 for that long after each boot.
 */
export async function nodeAppHost(prefix: string, options: { warmupMs?: number } = {}): Promise<NodeAppHost> {
  const work = await mkdtemp(join(tmpdir(), prefix));
  const root = join(work, "host");
  await mkdir(root, { recursive: true });
  const store = createFsStore({ dir: join(work, "store") });
  for (const [version, crash] of [
    ["1.0.0", false],
    ["2.0.0", false],
    ["3.0.0", true],
  ] as const) {
    await publishFixture(store, "web", "node-app", version, { crash, ...options });
  }
  return {
    work,
    root,
    port: await freePort(),
    store,
    async dispose(strategy, afterStop) {
      const release = {
        version: "current",
        dir: join(root, "current"),
        manifest: { processes: { web: "node server.js" } } as never,
      };
      await strategy.stop?.(strategyContext({ app: "web", root, release }));
      await afterStop?.();
      await rm(work, { recursive: true, force: true });
    },
  };
}
