// A remote host fetching the artifact itself from a presigned S3 URL (install's
// `transfer: "presigned-url"`): a real sshd test host with curl, a real S3 server (s3rver)
// listening on this machine's end of the host's link, so the host reaches it as it would a bucket.
import { mkdtemp } from "node:fs/promises";
import { join } from "node:path";
import {
  createFsStore,
  type DeployEvent,
  type HostConnection,
  install,
  isDeployKitError,
  publish,
  sshHost,
} from "@deploykit/core";
import { createS3Store, type S3Store } from "@deploykit/core/s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startS3, type TestS3 } from "../../../test-support/s3/index.mjs";
import { startTestHosts, type TestHost, type TestHosts } from "../../../test-support/ssh-hosts/index.mjs";
import { makePackage } from "./support/package";
import { s3StoreOptions } from "./support/stores";

let hosts: TestHosts;
let fetcher: TestHost;
let s3: TestS3;
let store: S3Store;
let host: HostConnection;
let work: string;
const code = (error: unknown) => (isDeployKitError(error) ? error.code : String(error));

beforeAll(async () => {
  hosts = await startTestHosts({ hosts: ["fetcher"] });
  fetcher = hosts.host("fetcher");
  s3 = await startS3({ address: fetcher.controlAddress });
  store = createS3Store(s3StoreOptions(s3, "fetch"));
  host = sshHost({ host: "fetcher", sshConfig: hosts.sshConfig });
  work = await mkdtemp(join(hosts.dir, "work-"));
  for (const v of ["1.0.0", "1.1.0", "1.2.0"]) {
    const pkg = await makePackage(work, "web", v, {
      "server.js": `v${v}`,
      "big.bin": Buffer.alloc(2_000_000, v),
    });
    await publish(pkg, { store });
  }
}, 300_000);
afterAll(async () => {
  await host?.close();
  store?.destroy();
  await s3?.stop();
  await hosts?.stop();
});

describe('install over SSH with transfer: "presigned-url"', () => {
  it("the host downloads the artifact itself; it is checked here once and on the host by sha256", async () => {
    const events: DeployEvent[] = [];
    const root = "/srv/fetched";
    const installed = await install({
      store,
      app: "web",
      version: "1.0.0",
      root,
      host,
      transfer: "presigned-url",
      onEvent: (e) => events.push(e),
    });
    expect(installed.release.version).toBe("1.0.0");
    expect((await fetcher.ssh(`cat ${root}/current/server.js`)).stdout).toBe("v1.0.0");
    // Every event names the host it happened on.
    expect(new Set(events.map((e) => e.host))).toEqual(new Set([host.name]));
    const steps = events.filter((e) => e.type === "step:finish").map((e) => e.step);
    expect(steps).toEqual(expect.arrayContaining(["scan", "download"]));
    // No artifact byte went through the SSH connection: no upload step, no upload progress.
    expect(events.some((e) => e.step === "upload")).toBe(false);
    // Nothing half-downloaded is left in the cache.
    const cached = (await fetcher.ssh(`ls -A ${root}/.deploykit/cache`)).stdout;
    expect(cached).not.toMatch(/partial|fetch/);
  });

  it("bytes changed in the bucket after the check are refused on the host (E_CHECKSUM_MISMATCH), nothing kept", async () => {
    const [first, second] = ["/srv/check-a", "/srv/check-b"];
    await install({ store, app: "web", version: "1.1.0", root: first, host, transfer: "presigned-url" });
    // This process checked 1.1.0's artifact already; now someone flips a byte in the bucket.
    await s3.corrupt(`${store.prefix}apps/web/releases/1.1.0/web-1.1.0.tgz`, 100);
    const refused = await install({
      store,
      app: "web",
      version: "1.1.0",
      root: second,
      host,
      transfer: "presigned-url",
    }).catch((e: unknown) => e);
    expect(code(refused)).toBe("E_CHECKSUM_MISMATCH");
    expect(String((refused as Error).message)).toContain("fetcher");
    const left = await fetcher.ssh(
      `find ${second}/.deploykit/cache -type f; ls -d ${second}/releases/* ${second}/current 2>/dev/null; true`,
    );
    expect(left.stdout).toBe("");
  });

  it("a host with neither curl nor wget is E_TOOL_MISSING; one that cannot reach the store is E_STORE_UNAVAILABLE with curl's words", async () => {
    await fetcher.ssh("mv /usr/bin/curl /usr/bin/curl.hidden");
    let noTool: unknown;
    try {
      noTool = await install({
        store,
        app: "web",
        version: "1.2.0",
        root: "/srv/no-tool",
        host,
        transfer: "presigned-url",
      }).catch((e: unknown) => e);
    } finally {
      await fetcher.ssh("mv /usr/bin/curl.hidden /usr/bin/curl");
    }
    expect(code(noTool)).toBe("E_TOOL_MISSING");

    // A second S3 server on 127.0.0.1: this machine reads it, the host cannot reach it.
    const unreachable = await startS3();
    const hidden = createS3Store(s3StoreOptions(unreachable, "hidden"));
    try {
      const pkg = await makePackage(work, "web", "9.0.0", { "server.js": "v9" });
      await publish(pkg, { store: hidden });
      const refused = await install({
        store: hidden,
        app: "web",
        version: "9.0.0",
        root: "/srv/unreachable",
        host,
        transfer: "presigned-url",
      }).catch((e: unknown) => e);
      expect(code(refused)).toBe("E_STORE_UNAVAILABLE");
      expect((refused as Error).message).toMatch(/curl: \(7\)/);
    } finally {
      hidden.destroy();
      await unreachable.stop();
    }
  });

  it("is refused before anything is written for a local host or a store that cannot presign", async () => {
    const fsStore = createFsStore({ dir: join(work, "fs-store") });
    const local = await install({
      store,
      app: "web",
      version: "1.0.0",
      root: join(work, "local"),
      transfer: "presigned-url",
    }).catch((e: unknown) => e);
    const noUrls = await install({
      store: fsStore,
      app: "web",
      version: "1.0.0",
      root: "/srv/fs",
      host,
      transfer: "presigned-url",
    }).catch((e: unknown) => e);
    expect([code(local), code(noUrls)]).toEqual(["E_INVALID_INPUT", "E_INVALID_INPUT"]);
    expect((await fetcher.ssh("ls /srv/fs 2>&1 || true")).stdout).toMatch(/No such file/);
  });
});
