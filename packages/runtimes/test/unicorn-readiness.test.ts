import { copyFile, mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createFsStore, deploy, strategyContext } from "@deploykit/core";
import { unicorn } from "@deploykit/runtimes";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchText, fixture, freePort } from "./support/host";
import { startLoad } from "./support/load";
import { publishFixture } from "./support/releases";

// Issue 17, input 3 for unicorn: a release that answers 500 for its first 3 s. While both masters
// serve from the shared socket, the old workers' 2xx used to count as the new master's health, so
// the old master was QUIT while the new workers still answered 500. Default options: no
// expectVersion, no version in the readiness decision.
let work: string;
let root: string;
let port: number;
const store = () => createFsStore({ dir: join(work, "store") });
const strategy = () =>
  unicorn({
    healthcheck: `http://127.0.0.1:${port}/health`,
    timeoutMs: 30_000,
    workers: 2,
    startCommand: `unicorn -E none -D -c ${join(root, "shared", "unicorn.rb")}`,
  });
const deployVersion = (version: string) =>
  deploy({
    store: store(),
    app: "rack",
    version,
    root,
    strategy: strategy(),
    env: { DK_ROOT: root, DK_PORT: String(port) },
  });

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "dk-unicorn-warmup-"));
  root = join(work, "host");
  port = await freePort();
  await mkdir(join(root, "shared"), { recursive: true });
  await copyFile(join(fixture("rack-app"), "unicorn.rb"), join(root, "shared", "unicorn.rb"));
  for (const version of ["1.0.0", "2.0.0"])
    await publishFixture(store(), "rack", "rack-app", version, { processes: {}, warmupMs: 3_000 });
});

afterAll(async () => {
  const release = { version: "x", dir: join(root, "current"), manifest: {} as never };
  await strategy().stop?.(strategyContext({ app: "rack", root, release }));
  await rm(work, { recursive: true, force: true });
});

describe("unicorn(): the old master is QUIT only after a new worker itself passed the health check", () => {
  it("an app answering 500 for its first 3 s: 0 non-2xx across 3 USR2 deploys under load", async () => {
    expect((await deployVersion("1.0.0")).rolledBack).toBe(false);
    const url = `http://127.0.0.1:${port}/`;
    expect(await fetchText(url)).toBe("1.0.0");
    const load = await startLoad(url, 50);
    try {
      for (const version of ["2.0.0", "1.0.0", "2.0.0"]) {
        const result = await deployVersion(version);
        expect(result.rolledBack, String(result.cause?.message)).toBe(false);
        expect(result.restart?.details?.mode).toBe("upgrade");
        expect(await fetchText(url)).toBe(version);
      }
    } finally {
      const figures = await load.stop();
      expect(figures).toMatchObject({ errors: 0, non2xx: 0 });
      // Proof that load ran through all three overlaps: 590 to 1,442 requests were seen on the
      // shared 2-core box (load average 8-12), where Ruby workers get little CPU.
      expect(figures.requests).toBeGreaterThan(300);
    }
  }, 180_000);
});
