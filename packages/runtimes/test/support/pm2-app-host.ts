import { join } from "node:path";
import { type DeployResult, deploy } from "@deploykit/core";
import { pm2 } from "@deploykit/runtimes";
import { execa } from "execa";
import { type NodeAppHost, nodeAppHost } from "./node-app-host";

const PM2_BIN = new URL("../../../../node_modules/.bin/pm2", import.meta.url).pathname;

/** A {@link NodeAppHost} whose app runs under the real pm2 (from node_modules, a private PM2_HOME). */
export interface Pm2AppHost {
  host: NodeAppHost;
  /** Deploys `version` with the pm2 strategy (cluster mode, 2 instances, health-checked). */
  deployVersion(version: string): Promise<DeployResult>;
  /** Stops the app and the pm2 daemon, then removes the host. */
  dispose(): Promise<void>;
}

export async function pm2AppHost(prefix: string, options: { warmupMs?: number } = {}): Promise<Pm2AppHost> {
  const host = await nodeAppHost(prefix, options);
  const home = join(host.work, "pm2");
  const strategy = () =>
    pm2({
      name: "web",
      bin: PM2_BIN,
      home,
      port: host.port,
      instances: 2,
      timeoutMs: 20_000,
      healthcheck: `http://127.0.0.1:${host.port}/health`,
    });
  return {
    host,
    deployVersion: (version) =>
      deploy({ store: host.store, app: "web", version, root: host.root, strategy: strategy() }),
    dispose: () =>
      host.dispose(strategy(), () => execa(PM2_BIN, ["kill"], { env: { PM2_HOME: home }, reject: false })),
  };
}
