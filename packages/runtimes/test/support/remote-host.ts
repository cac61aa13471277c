import { createHash, randomUUID } from "node:crypto";
import type { HostConnection } from "@deploykit/core";
import { execa } from "execa";
import { fixture, fixtureManifest, type TestHost } from "./host";

/**
 * {@link TestHost} on a server reached through `connection` (a test host over SSH): the same
 * hand-made root (`releases/<v>` copied from the fixture, `current`, `shared/`), under `/srv`
 * on the server. Files go through the connection, as a strategy's do.
 */
export async function createRemoteTestHost(app: string, connection: HostConnection): Promise<TestHost> {
  const root = `/srv/dk-runtimes-${app}-${randomUUID().slice(0, 8)}`;
  await connection.mkdirs([`${root}/releases`, `${root}/shared/log`, `${root}/shared/tmp/pids`]);
  const tgz = (await execa("tar", ["-czf", "-", "-C", fixture(app), "."], { encoding: "buffer" })).stdout;
  const archive = `${root}/.fixture.tgz`;
  await connection.upload(tgz, archive, { sha256: createHash("sha256").update(tgz).digest("hex") });
  return {
    root,
    async addRelease(version, options = {}) {
      const dir = `${root}/releases/${version}`;
      await connection.extractTgz(archive, dir);
      await connection.writeFile(`${dir}/VERSION`, `${version}\n`);
      if (options.crash) await connection.writeFile(`${dir}/CRASH`, "1\n");
      if (options.hang) await connection.writeFile(`${dir}/HANG`, "1\n");
      return { version, dir, manifest: fixtureManifest(version, options.processes) };
    },
    activate: (release) => connection.switchSymlink(`${root}/current`, `releases/${release.version}`),
    remove: () => connection.remove([root]),
  };
}
