import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { install, isDeployKitError } from "@deploykit/core";
import { createMemoryStore } from "@deploykit/core/testing";
import { afterEach, describe, expect, it } from "vitest";
import { publishCrafted, type RawEntry } from "./support/craft-tgz";
import { tempDir } from "./support/package";

let cleanup: (() => Promise<void>) | undefined;
afterEach(() => cleanup?.());

async function installCrafted(entries: RawEntry[], prepare?: (outside: string) => Promise<void>) {
  const tmp = await tempDir("dk-unsafe-");
  cleanup = tmp.cleanup;
  await prepare?.(join(tmp.dir, "host"));
  const store = createMemoryStore();
  await publishCrafted(store, join(tmp.dir, "evil-1.0.0.tgz"), entries);
  const root = join(tmp.dir, "host", "app");
  const outcome = await install({ store, app: "evil", version: "1.0.0", root }).then(
    () => "installed",
    (error) => (isDeployKitError(error) ? error.code : `unexpected: ${error}`),
  );
  return { outcome, root, outside: join(tmp.dir, "host") };
}

/** Everything under `dir`, recursively, as relative paths. */
const tree = async (dir: string) =>
  existsSync(dir) ? ((await readdir(dir, { recursive: true })) as string[]).sort() : [];

describe("unsafe archives are refused with nothing written outside staging", () => {
  it("refuses ../ paths", async () => {
    const { outcome, outside, root } = await installCrafted([
      { path: "../../escaped.txt", type: "File", body: "x" },
    ]);
    expect(outcome).toBe("E_UNSAFE_ARCHIVE");
    expect(existsSync(join(outside, "escaped.txt"))).toBe(false);
    expect(existsSync(join(root, "current"))).toBe(false);
  });

  it("refuses absolute paths", async () => {
    const target = `/tmp/deploykit-abs-${process.pid}.txt`;
    const { outcome } = await installCrafted([{ path: target, type: "File", body: "x" }]);
    expect(outcome).toBe("E_UNSAFE_ARCHIVE");
    expect(existsSync(target)).toBe(false);
  });

  it("refuses a symlink to /etc followed by a file written through it", async () => {
    const before = (await stat("/etc")).mtimeMs;
    const { outcome, root } = await installCrafted([
      { path: "etc-link", type: "SymbolicLink", linkpath: "/etc" },
      { path: "etc-link/deploykit-pwned", type: "File", body: "x" },
    ]);
    expect(outcome).toBe("E_UNSAFE_ARCHIVE");
    expect(existsSync("/etc/deploykit-pwned")).toBe(false);
    expect((await stat("/etc")).mtimeMs).toBe(before);
    expect(await tree(join(root, "releases"))).toEqual([]);
  });

  it("refuses a relative symlink that climbs out, and entries under an in-tree symlink", async () => {
    expect((await installCrafted([{ path: "up", type: "SymbolicLink", linkpath: "../../.." }])).outcome).toBe(
      "E_UNSAFE_ARCHIVE",
    );
    const chained = await installCrafted([
      { path: "here", type: "SymbolicLink", linkpath: "." },
      { path: "here/x.txt", type: "File", body: "x" },
    ]);
    expect(chained.outcome).toBe("E_UNSAFE_ARCHIVE");
  });

  it("refuses a hard link to a file outside", async () => {
    const { outcome, root } = await installCrafted([
      { path: "passwd", type: "Link", linkpath: "../../../../etc/passwd" },
    ]);
    expect(outcome).toBe("E_UNSAFE_ARCHIVE");
    expect(await tree(join(root, "releases"))).toEqual([]);
  });

  it("refuses a chain of in-tree-looking symlinks that resolves outside, and a hard link through it", async () => {
    const secret = async (outside: string) => {
      await mkdir(outside, { recursive: true });
      await writeFile(join(outside, "secret.txt"), "secret");
    };
    const { outcome, outside, root } = await installCrafted(
      [
        { path: "x/", type: "Directory" },
        { path: "x/l", type: "SymbolicLink", linkpath: ".." },
        { path: "y", type: "SymbolicLink", linkpath: "x/l/.." },
        { path: "y2", type: "SymbolicLink", linkpath: "y/.." },
        { path: "y3", type: "SymbolicLink", linkpath: "y2/.." },
        { path: "h", type: "Link", linkpath: "y3/secret.txt" },
      ],
      secret,
    );
    expect(outcome).toBe("E_UNSAFE_ARCHIVE");
    expect((await stat(join(outside, "secret.txt"))).nlink).toBe(1);
    expect(await tree(join(root, "releases"))).toEqual([]);
  });

  it("refuses device files and FIFOs", async () => {
    expect((await installCrafted([{ path: "dev", type: "CharacterDevice" }])).outcome).toBe(
      "E_UNSAFE_ARCHIVE",
    );
    expect((await installCrafted([{ path: "pipe", type: "FIFO" }])).outcome).toBe("E_UNSAFE_ARCHIVE");
  });

  it("installs safe in-tree links and strips setuid bits", async () => {
    const { outcome, root } = await installCrafted([
      { path: "bin/", type: "Directory" },
      { path: "bin/tool", type: "File", body: "#!/bin/sh\n", mode: 0o4755 },
      { path: "bin/alias", type: "SymbolicLink", linkpath: "tool" },
      { path: "bin/hard", type: "Link", linkpath: "bin/tool" },
    ]);
    expect(outcome).toBe("installed");
    const mode = (await stat(join(root, "current", "bin", "tool"))).mode;
    expect(mode & 0o4000).toBe(0);
    expect(mode & 0o100).toBe(0o100);
    expect(await readFile(join(root, "current", "bin", "alias"), "utf8")).toBe("#!/bin/sh\n");
  });
});
