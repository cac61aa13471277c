import { execFileSync } from "node:child_process";
import { cp, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadBuilt } from "../../../test-support/dist";
import { fixture, freePort } from "./support/host";

const strategies = [
  "command",
  "defineStrategy",
  "node",
  "pm2",
  "process",
  "sidekiq",
  "signal",
  "systemd",
  "sysv",
  "unicorn",
  "upstart",
];

describe("the built @deploykit/runtimes loads through import and require", () => {
  it.each([
    ["@deploykit/runtimes", strategies],
    [
      "@deploykit/runtimes/testing",
      ["runtimeContractCases", "createFakeClock", "createFakeProcessTable", "createRecordingRunner"],
    ],
  ])("%s", (specifier, names) => {
    const { esm, cjs } = loadBuilt(specifier);
    expect(esm).toEqual(expect.arrayContaining(names));
    expect(cjs).toEqual(esm);
  });

  // node() writes its cluster launcher out from the built code: prove it runs from both builds.
  it.each(["import", "require"])("node() restarts a real app from the %s build", async (how) => {
    const root = await mkdtemp(join(tmpdir(), "dk-runtimes-dist-"));
    try {
      await cp(fixture("node-app"), join(root, "releases", "1.0.0"), { recursive: true });
      await writeFile(join(root, "releases", "1.0.0", "VERSION"), "1.0.0\n");
      await symlink(join("releases", "1.0.0"), join(root, "current"));
      const port = await freePort();
      const load =
        how === "import" ? 'await import("@deploykit/runtimes")' : 'require("@deploykit/runtimes")';
      const script = `(async () => {
        const { node } = ${load};
        const { strategyContext } = ${how === "import" ? 'await import("@deploykit/core")' : 'require("@deploykit/core")'};
        const release = { version: "1.0.0", dir: ${JSON.stringify(join(root, "releases", "1.0.0"))}, manifest: { processes: { web: "node server.js" } } };
        const ctx = strategyContext({ app: "web", root: ${JSON.stringify(root)}, release });
        const strategy = node({ port: ${port}, workers: 1 });
        await strategy.restart(ctx);
        const body = await (await fetch("http://127.0.0.1:${port}/")).text();
        await strategy.stop(ctx);
        console.log(body.trim());
      })().catch((error) => { console.error(error); process.exit(1); });`;
      const args = how === "import" ? ["--input-type=module", "-e", script] : ["-e", script];
      const cwd = fileURLToPath(new URL("../../..", import.meta.url));
      expect(execFileSync(process.execPath, args, { cwd, encoding: "utf8", timeout: 60_000 }).trim()).toBe(
        "1.0.0",
      );
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
