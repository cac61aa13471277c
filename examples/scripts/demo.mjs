// The deploykit demo: build → publish → deploy v1, then v2, then roll back to v1, all on this
// machine. The store is a directory laid out like the S3 bucket (.deploykit-demo/store) and the
// "server" is .deploykit-demo/host. Uses only the public SDK entry points.
import { cp, mkdir, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { join, resolve } from "node:path";
import { createFsStore, deploy, publish, rollback, strategyContext } from "@deploykit/core";
import { buildPackage } from "@deploykit/pkgr";
import { process as processStrategy } from "@deploykit/runtimes";

const app = "hello-node";
const base = resolve(".deploykit-demo");
const root = join(base, "host");
const source = resolve(import.meta.dirname, "..", "hello-node");
const store = createFsStore({ dir: join(base, "store") });

const freePort = () =>
  new Promise((done, fail) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
    server.on("error", fail);
  });

const say = (text) => console.log(`\n▶ ${text}`);
const onEvent = (event) => {
  if (event.type === "step:finish") console.log(`  ✓ ${event.message} (${event.durationMs} ms)`);
  if (event.type === "warning") console.log(`  ! ${event.message}`);
};

const port = await freePort();
const url = `http://127.0.0.1:${port}/health`;
const strategy = processStrategy({ name: "web", port, stopTimeoutMs: 5_000 });
const answer = async () => (await fetch(url, { headers: { connection: "close" } })).text();

async function buildAndPublish(version) {
  const appDir = join(base, "src", version);
  await cp(source, appDir, { recursive: true });
  await writeFile(join(appDir, "VERSION"), `${version}\n`);
  const pkg = await buildPackage({ appDir, name: app, version, outDir: join(base, "dist"), onEvent });
  await publish(pkg, { store, channel: "production", onEvent });
  console.log(
    `  built and published ${pkg.manifest.artifact.file} (${pkg.manifest.artifact.size} bytes, sha256 ${pkg.manifest.artifact.sha256.slice(0, 12)}…)`,
  );
}

async function deployChannel(expected) {
  const result = await deploy({
    store,
    app,
    channel: "production",
    root,
    strategy,
    healthcheck: { url, expectBody: expected },
    onEvent,
  });
  if (result.rolledBack) throw result.cause;
  console.log(`  GET ${url} → ${await answer()}`);
}

await rm(base, { recursive: true, force: true });
await mkdir(base, { recursive: true });
let live;
try {
  say(`Build, publish and deploy ${app} 1.0.0 (store: ${store.location})`);
  await buildAndPublish("1.0.0");
  await deployChannel("1.0.0");

  say(`Build, publish and deploy ${app} 2.0.0`);
  await buildAndPublish("2.0.0");
  await deployChannel("2.0.0");

  say("Roll back to the previous release (no network: from the host's own releases)");
  const back = await rollback({ root, strategy, healthcheck: { url, expectBody: "1.0.0" }, onEvent });
  live = back.release;
  console.log(`  GET ${url} → ${await answer()}`);
} finally {
  if (live) {
    say("Stop the app");
    await strategy.stop?.(strategyContext({ app, root, release: live }));
  }
}
console.log(
  `\nDone. Look around: ${root} (releases/, current, shared/, .deploykit/state.json) and ${join(base, "store")}.`,
);
