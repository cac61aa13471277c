// bench/install: the SDK's install of a .tgz from a filesystem store (copy into the host's cache
// + sha256 check + header check + unpack + switch `current`), next to GNU tar unpacking the same
// artifact into an empty directory (`tar -xzf`), interleaved in one run (the order alternates;
// medians), each in its own process; peak RSS on the 200 MB / 20k-file tree and on the 20 MB /
// 2k-file tree (flat memory). Targets: time <= 1.1x tar -xzf; peak RSS <= 150 MB and <= 1.2x the
// small tree's. Exits 1 when a target is missed.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createFsStore, publish } from "@deploykit/core";
import { buildPackage } from "@deploykit/pkgr";
import { generateTree } from "../build/tree.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const RUNS = Number(process.argv[2] ?? 3);
const TIME_TARGET = 1.1;
const RSS_LIMIT_MB = 150;
const RSS_FLAT_TARGET = 1.2;
const work = mkdtempSync(join(tmpdir(), "bench-install-"));
const store = join(work, "store");

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
let fresh = 0;
const freshDir = () => join(work, `target-${fresh++}`);

function installWithSdk(app) {
  const root = freshDir();
  const child = spawnSync(process.execPath, [join(here, "install-once.mjs"), store, app, "1.0.0", root], {
    encoding: "utf8",
  });
  if (child.status !== 0) throw new Error(`install failed:\n${child.stderr}`);
  rmSync(root, { recursive: true, force: true });
  return JSON.parse(child.stdout.trim().split("\n").at(-1));
}

function installWithTar(artifact) {
  const dir = freshDir();
  mkdirSync(dir);
  const started = performance.now();
  const child = spawnSync("/usr/bin/time", ["-f", "%M", "tar", "-xzf", artifact, "-C", dir], {
    encoding: "utf8",
  });
  const ms = performance.now() - started;
  if (child.status !== 0) throw new Error(`tar failed:\n${child.stderr}`);
  rmSync(dir, { recursive: true, force: true });
  return { ms, maxRssKb: Number(child.stderr.trim().split("\n").at(-1)) };
}

async function release(app, files, bytes, seed) {
  const appDir = join(work, app);
  await generateTree(appDir, { files, bytes, seed });
  const pkg = await buildPackage({
    appDir,
    outDir: join(work, "out"),
    name: app,
    version: "1.0.0",
    readPkgrYml: false,
  });
  await publish(pkg, { store: createFsStore({ dir: store }) });
  rmSync(appDir, { recursive: true, force: true });
  return pkg.path;
}

function compare(label, app, artifact) {
  const sdk = [];
  const tar = [];
  for (let i = 0; i < RUNS; i++) {
    if (i % 2 === 0) {
      tar.push(installWithTar(artifact));
      sdk.push(installWithSdk(app));
    } else {
      sdk.push(installWithSdk(app));
      tar.push(installWithTar(artifact));
    }
  }
  return {
    label,
    sdkMs: median(sdk.map((r) => r.ms)),
    tarMs: median(tar.map((r) => r.ms)),
    sdkRssMb: Math.max(...sdk.map((r) => r.maxRssKb)) / 1024,
    tarRssMb: Math.max(...tar.map((r) => r.maxRssKb)) / 1024,
  };
}

try {
  console.log(`building the artifacts in ${work} ...`);
  const big = await release("big", 20_000, 200_000_000, 42);
  const small = await release("small", 2_000, 20_000_000, 7);
  console.log(`${RUNS} runs each (median time, max RSS)`);
  const rows = [compare("200 MB / 20k files", "big", big), compare("20 MB / 2k files", "small", small)];
  const s = (ms) => `${(ms / 1000).toFixed(2)} s`;
  console.log("\n| tree | install (SDK) | tar -xzf | ratio | install peak RSS | tar peak RSS |");
  console.log("|---|---|---|---|---|---|");
  for (const row of rows) {
    console.log(
      `| ${row.label} | ${s(row.sdkMs)} | ${s(row.tarMs)} | ${(row.sdkMs / row.tarMs).toFixed(2)}x | ${row.sdkRssMb.toFixed(0)} MB | ${row.tarRssMb.toFixed(1)} MB |`,
    );
  }
  const ratio = rows[0].sdkMs / rows[0].tarMs;
  const growth = rows[0].sdkRssMb / rows[1].sdkRssMb;
  const checks = [
    [`200 MB install time vs tar -xzf <= ${TIME_TARGET}x`, ratio <= TIME_TARGET, `${ratio.toFixed(2)}x`],
    [
      `200 MB install peak RSS <= ${RSS_LIMIT_MB} MB`,
      rows[0].sdkRssMb <= RSS_LIMIT_MB,
      `${rows[0].sdkRssMb.toFixed(0)} MB`,
    ],
    [`peak RSS 200 MB tree / 20 MB tree <= ${RSS_FLAT_TARGET}`, growth <= RSS_FLAT_TARGET, growth.toFixed(2)],
  ];
  console.log("");
  for (const [name, ok, value] of checks) console.log(`${ok ? "ok  " : "MISS"} ${name}: ${value}`);
  process.exitCode = checks.every(([, ok]) => ok) ? 0 : 1;
} finally {
  rmSync(work, { recursive: true, force: true });
}
