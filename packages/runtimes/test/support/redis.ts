import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { execa } from "execa";
import { eventually } from "../../../../test-support/eventually";
import { freePort } from "./host";

/** A throwaway redis-server on a loopback port (no persistence). */
export interface TestRedis {
  port: number;
  url: string;
  /** Runs a redis-cli command and returns its trimmed output. */
  cli(...args: string[]): Promise<string>;
  stop(): Promise<void>;
}

/** Starts redis-server on a free loopback port and waits until it answers PING. */
export async function startRedis(): Promise<TestRedis> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
    { stdio: "ignore" },
  );
  const cli = async (...args: string[]) =>
    (await execa("redis-cli", ["-p", String(port), ...args], { reject: false })).stdout.trim();
  await eventually("redis-server to answer PING", async () => {
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`);
    return (await cli("ping")) === "PONG";
  });
  return {
    port,
    url: `redis://127.0.0.1:${port}/0`,
    cli,
    async stop() {
      if (child.exitCode === null) {
        child.kill("SIGTERM");
        await once(child, "exit");
      }
    },
  };
}
