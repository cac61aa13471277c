import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchText } from "../../runtimes/test/support/host";
import { startLoad } from "../../runtimes/test/support/load";
import { type RackAppHost, rackAppHost } from "../../runtimes/test/support/rack-app-host";
import { cleanEnv, deploykit } from "./support/cli";

// The cli-lite README's unicorn example, with real unicorn (preload_app false, 2 workers): a
// release whose config.ru raises at boot. `--healthcheck` only fed deploy's gate, so the
// strategy counted the new master ready as soon as its (crash-looping) workers existed and QUIT
// the old master: every request failed for ~11 s until the gate switched back. The URL is now
// also unicorn's own readiness check, as `strategy: { name: unicorn, healthcheck }` made it.
let host: RackAppHost;
let url: string;
const pidFile = () => join(host.root, "shared/tmp/pids/unicorn.pid");

beforeAll(async () => {
  host = await rackAppHost("dk-cli-unicorn-", [
    ["1.0.0", {}],
    ["2.0.0", { crash: true }],
  ]);
  url = `http://127.0.0.1:${host.port}/`;
});
afterAll(() => host?.dispose());

const deploy = (version: string) =>
  deploykit(
    [
      "deploy",
      ...["--app", "rack", "--version", version, "--root", host.root, "--store", join(host.work, "store")],
      ...["--strategy", "unicorn", "--pid-file", pidFile(), "--workers", "2", "--timeout-ms", "20000"],
      ...["--start-command", `unicorn -E none -D -c ${join(host.root, "shared/unicorn.rb")}`],
      ...["--healthcheck", `${url}health`, "--healthcheck-timeout", "10"],
    ],
    // unicorn.rb reads these; the re-exec'd master inherits them.
    { env: cleanEnv({ DK_ROOT: host.root, DK_PORT: String(host.port), DK_PRELOAD: "false" }) },
  );

describe("deploykit deploy --strategy unicorn --healthcheck URL (flags only, preload_app false)", () => {
  it("a release that raises at boot: 0 failed requests under load, the old master keeps serving", async () => {
    const first = await deploy("1.0.0");
    expect(first.exitCode, first.stderr).toBe(0);
    expect(await fetchText(url)).toBe("1.0.0");
    const master = (await readFile(pidFile(), "utf8")).trim();

    const load = await startLoad(url, 50);
    let failed: Awaited<ReturnType<typeof deploy>> | undefined;
    try {
      failed = await deploy("2.0.0");
    } finally {
      const figures = await load.stop();
      expect(figures).toMatchObject({ errors: 0, non2xx: 0 });
      // Load ran through the whole attempt (a few hundred requests even on a loaded 2-core box).
      expect(figures.requests).toBeGreaterThan(200);
    }
    expect(failed.exitCode).toBe(1);
    // The strategy itself refused the new master; the old one was never QUIT.
    expect(failed.stderr).toContain(`the upgrade to 2.0.0 failed; master ${master} keeps serving`);
    expect(await fetchText(url)).toBe("1.0.0");
  }, 180_000);
});
