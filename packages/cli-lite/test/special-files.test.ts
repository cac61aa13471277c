import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deploykit, jsonLines, tempDir } from "./support/cli";

// Issue 10 item 8, as the user saw it: `deploykit build` of an app holding a left-over
// tmp/sockets/unicorn.sock printed "Packing", exited 0 and wrote no package.
describe("deploykit build with a unix socket in the app", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  const server = createServer();

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir());
    await mkdir(join(dir, "app", "tmp", "sockets"), { recursive: true });
    await writeFile(join(dir, "app", "Procfile"), "web: node server.js\n");
    await new Promise<void>((resolve) =>
      server.listen(join(dir, "app", "tmp", "sockets", "unicorn.sock"), resolve),
    );
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await cleanup();
  });

  it("writes the package, warns about the socket, and exits 0", async () => {
    const run = await deploykit(
      ["build", "app", "--name", "sock", "--version", "1.0.0", "--out-dir", "out", "--json"],
      {
        cwd: dir,
      },
    );
    expect(run.exitCode, run.stderr).toBe(0);
    const lines = jsonLines(run.stdout);
    expect(lines).toContainEqual(
      expect.objectContaining({
        type: "warning",
        message: expect.stringMatching(/^tmp\/sockets\/unicorn\.sock is a socket/),
      }),
    );
    const { result } = lines.at(-1) as { result: { path: string } };
    expect(existsSync(result.path)).toBe(true);
  });
});
