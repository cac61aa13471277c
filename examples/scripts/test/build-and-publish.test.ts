import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const script = join(import.meta.dirname, "..", "build-and-publish.mjs");
let workDir: string | undefined;
afterAll(() => (workDir ? rm(workDir, { recursive: true, force: true }) : undefined));

describe("examples/scripts/build-and-publish.mjs", () => {
  it("publishes and leaves no artifact in the working directory (e.g. a repo checkout)", async () => {
    workDir = await mkdtemp(join(tmpdir(), "dk-bap-"));
    const app = join(workDir, "app");
    await mkdir(app);
    await writeFile(join(app, "Procfile"), "web: node server.js\n");
    await writeFile(join(app, "server.js"), "\n");
    const before = await readdir(workDir);
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [script, "app", "hello", "1.0.0", join(workDir, "..", `${workDir.split("/").pop()}-store`)],
      { cwd: workDir },
    );
    expect(JSON.parse(stdout.slice(stdout.indexOf("{")))).toMatchObject({ unchanged: false });
    expect((await readdir(workDir)).sort()).toEqual(before.sort());
    await rm(`${workDir}-store`, { recursive: true, force: true });
  });
});
