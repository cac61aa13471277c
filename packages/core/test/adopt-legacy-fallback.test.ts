import { mkdir, readdir, readFile, readlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  createFsStore,
  deploy,
  isDeployKitError,
  listInstalled,
  publish,
  type RuntimeStrategy,
} from "@deploykit/core";
import { afterEach, describe, expect, it } from "vitest";
import { makePackage, tempDir } from "./support/package";

// A checkout left by an older deploy tool (`current` a real directory) is what serves until a
// deploykit release comes up: a failed first deploy goes back to it, as to any earlier release.
let work: Awaited<ReturnType<typeof tempDir>>;
afterEach(() => work?.cleanup());

const strategy: RuntimeStrategy = {
  name: "fake",
  restart: async ({ release }) => {
    if (release.version === "3.0.0") throw new Error("3.0.0 exits at boot");
    return { strategy: "fake" };
  },
};

describe("adopting a legacy current", () => {
  it("a failed first deploy switches current back to the adopted directory; a good one then deploys", async () => {
    work = await tempDir();
    const store = createFsStore({ dir: join(work.dir, "store") });
    for (const v of ["2.0.0", "3.0.0"])
      await publish(await makePackage(join(work.dir, v), "web", v, { "app.rb": `v${v}` }), { store });
    const root = join(work.dir, "L");
    await mkdir(join(root, "current"), { recursive: true });
    await writeFile(join(root, "current", "app.rb"), "legacy");
    const served = () => readFile(join(root, "current", "app.rb"), "utf8");
    const legacyDir = async () =>
      (await readdir(join(root, "releases"))).find((n) => n.startsWith("legacy-")) as string;

    const options = { store, app: "web", version: "3.0.0", root, strategy, adoptLegacyCurrent: true };
    const error = await deploy(options).catch((e: unknown) => e);
    expect(isDeployKitError(error, "E_RESTART_FAILED"), String(error)).toBe(true);
    const legacy = await legacyDir();
    expect((error as { hint: string }).hint).toContain(legacy);
    expect(await readlink(join(root, "current"))).toBe(join("releases", legacy));
    expect(await served()).toBe("legacy");
    expect((await listInstalled(root)).current).toBeUndefined();

    // The next run (current now a link to the adopted dir) falls back to it the same way.
    const again = await deploy({ ...options, adoptLegacyCurrent: false }).catch((e: unknown) => e);
    expect(isDeployKitError(again, "E_RESTART_FAILED"), String(again)).toBe(true);
    expect(await served()).toBe("legacy");

    const good = await deploy({ ...options, version: "2.0.0" });
    expect(good).toMatchObject({ rolledBack: false, release: { version: "2.0.0" } });
    expect(await served()).toBe("v2.0.0");
    // With a deploykit release live, a failing one goes back to it as usual.
    expect(await deploy(options)).toMatchObject({ rolledBack: true, release: { version: "2.0.0" } });
    expect(await served()).toBe("v2.0.0");
  });
});
