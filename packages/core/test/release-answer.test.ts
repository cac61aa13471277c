import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { createHttpProbe, type ProbeOutcome, portOwners, probeHealth } from "@deploykit/core";
import { describe, expect, it } from "vitest";
import { releaseVerifier } from "../src/release-answer";
import { tempDir } from "./support/package";

const answer = (body: string, headers?: Record<string, string>): ProbeOutcome => ({
  ok: true,
  status: 200,
  body,
  seen: `HTTP 200: ${body}`,
  ...(headers ? { headers } : {}),
});
const proof = {
  version: "2.0.0",
  others: ["1.0.0"],
  root: "/nonexistent",
  url: "http://127.0.0.1:1/health",
  local: false,
  owners: async () => [],
};

describe("releaseVerifier: which release answered the gate's probe", () => {
  it("without app help: the process holding the listening socket runs from releases/1.0.0", async () => {
    const { dir, cleanup } = await tempDir();
    const root = join(dir, "host");
    await mkdir(join(root, "releases", "1.0.0"), { recursive: true });
    const server = spawn(
      process.execPath,
      [
        "-e",
        "const s=require('http').createServer((q,r)=>r.end('ok')).listen(0,'127.0.0.1',()=>console.log(s.address().port))",
      ],
      { cwd: join(root, "releases", "1.0.0"), stdio: ["ignore", "pipe", "inherit"] },
    );
    const exited = once(server, "exit");
    try {
      const [line] = (await once(createInterface({ input: server.stdout }), "line")) as [string];
      const url = `http://127.0.0.1:${line}/health`;
      const outcome = await probeHealth(createHttpProbe(), url);
      expect(outcome.ok).toBe(true);
      const check = (version: string) =>
        releaseVerifier({ version, others: ["1.0.0", "2.0.0"], root, url, local: true, owners: portOwners })(
          outcome,
        );
      expect(await check("2.0.0")).toBe(
        `port ${line} answers 1.0.0 from pid ${server.pid} in releases/1.0.0, not 2.0.0 (HTTP 200: ok)`,
      );
      expect(await check("1.0.0")).toBeUndefined();
      // A host where nothing is seen holding the port (owners answer nothing): nothing told.
      expect(
        await releaseVerifier({
          version: "2.0.0",
          others: [],
          root,
          url,
          local: true,
          owners: async () => [],
        })(outcome),
      ).toBeUndefined();
    } finally {
      server.kill();
      await exited;
      await cleanup();
    }
  });

  it("the body's version, as a whole word; the operator's header wins over the body", async () => {
    const verify = releaseVerifier(proof);
    expect(await verify(answer("ok 1.0.0\n"))).toBe("port 1 answers 1.0.0, not 2.0.0 (HTTP 200: ok 1.0.0\n)");
    expect(await verify(answer("ok v2.0.0"))).toBeUndefined();
    expect(await verify(answer("ok 11.0.0 1.0.0.1"))).toBeUndefined();
    expect(await verify(answer('{"version":"1.0.0"}'))).toMatch(/answers 1\.0\.0, not 2\.0\.0/);
    const byHeader = releaseVerifier({ ...proof, header: "X-Release" });
    expect(await byHeader(answer("ok 1.0.0", { "x-release": "2.0.0" }))).toBeUndefined();
    expect(await byHeader(answer("ok", { "x-release": "1.0.0" }))).toMatch(
      /answers 1\.0\.0, not 2\.0\.0 \(HTTP 200: ok, header X-Release: 1\.0\.0\)/,
    );
  });
});
