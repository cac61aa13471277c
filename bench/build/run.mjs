// bench/build: buildPackage packing a generated app to .tgz, next to GNU tar + pigz
// (`tar -I pigz -cf`, both cores) and GNU tar + gzip -6 (`tar -czf`) on the same tree in the same
// run, interleaved (the order rotates each round; medians); peak RSS on a big and a small tree
// (flat memory); and the warm-cache ratio of a buildpack build (second build / first build).
// CPU time (user + system, every thread and child) is shown next to wall time with the load
// average: on a shared machine the wall-time ratio also measures the scheduler, the CPU-time ratio
// only the work. Exits 1 when a (wall-time) target is missed.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { generateTree } from "./tree.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const RUNS = Number(process.argv[2] ?? 3);
/** buildPackage time / `tar -I pigz -cf` time on the 200 MB tree. */
const PIGZ_TARGET = 1.0;
/** buildPackage time / `tar -czf` time on the 200 MB tree. */
const GZIP_TARGET = 0.6;
// 10x the tree must not mean much more memory: a design that buffered the tree would show ~10x.
const RSS_FLAT_TARGET = 1.5;
const CACHE_TARGET = 0.8;
const work = mkdtempSync(join(tmpdir(), "bench-build-"));

const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function packWithPkgr(appDir, extra = []) {
  const outDir = mkdtempSync(join(work, "out-"));
  const child = spawnSync(process.execPath, [join(here, "pack-once.mjs"), appDir, outDir, ...extra], {
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  if (child.status !== 0) throw new Error(`buildPackage failed:\n${child.stderr}`);
  rmSync(outDir, { recursive: true, force: true });
  return JSON.parse(child.stdout.trim().split("\n").at(-1));
}

// GNU time (Debian package `time`) reports the peak RSS of the largest process in the tree (tar
// or gzip) and the CPU time of tar and its compressor; without it those tar columns stay empty.
const GNU_TIME = existsSync("/usr/bin/time") ? "/usr/bin/time" : undefined;

const TAR_FLAGS = { gzip: ["-czf"], pigz: ["-I", "pigz", "-cf"] };

function packWithTar(appDir, compressor) {
  const out = join(work, "gnu.tgz");
  const tar = ["tar", ...TAR_FLAGS[compressor], out, "-C", appDir, "."];
  const started = performance.now();
  const child = GNU_TIME
    ? spawnSync(GNU_TIME, ["-f", "%M %U %S", ...tar], { encoding: "utf8" })
    : spawnSync(tar[0], tar.slice(1), { encoding: "utf8" });
  const ms = performance.now() - started;
  if (child.status !== 0) throw new Error(`tar failed:\n${child.stderr}`);
  rmSync(out, { force: true });
  const [maxRssKb, user, system] = GNU_TIME
    ? (child.stderr.trim().split("\n").at(-1) ?? "").split(" ").map(Number)
    : [Number.NaN, Number.NaN, Number.NaN];
  return { ms, cpuMs: (user + system) * 1000, maxRssKb };
}

function compare(label, appDir) {
  const runs = { pkgr: [], gzip: [], pigz: [] };
  const contenders = {
    pkgr: () => packWithPkgr(appDir),
    gzip: () => packWithTar(appDir, "gzip"),
    pigz: () => packWithTar(appDir, "pigz"),
  };
  const names = Object.keys(contenders);
  for (let i = 0; i < RUNS; i++) {
    // Rotate who goes first, so a burst of load on the shared machine does not hit one tool only.
    for (let j = 0; j < names.length; j++) {
      const name = names[(i + j) % names.length];
      runs[name].push(contenders[name]());
    }
  }
  const ms = (name) => median(runs[name].map((r) => r.ms));
  const cpuMs = (name) => median(runs[name].map((r) => r.cpuMs));
  const rssMb = (name) => Math.max(...runs[name].map((r) => r.maxRssKb)) / 1024;
  return {
    label,
    pkgrMs: ms("pkgr"),
    gzipMs: ms("gzip"),
    pigzMs: ms("pigz"),
    pkgrCpuMs: cpuMs("pkgr"),
    gzipCpuMs: cpuMs("gzip"),
    pigzCpuMs: cpuMs("pigz"),
    pkgrRssMb: rssMb("pkgr"),
    tarRssMb: Math.max(rssMb("gzip"), rssMb("pigz")),
  };
}

const pigz = spawnSync("pigz", ["--version"]);
if (pigz.error) {
  console.error(
    "bench/build compares against pigz: install it (apt-get install pigz; scripts/system-deps.sh does).",
  );
  process.exit(1);
}

try {
  console.log(`generating trees in ${work} ...`);
  const big = join(work, "big-app");
  const small = join(work, "small-app");
  const bigBytes = await generateTree(big, { files: 20_000, bytes: 200_000_000 });
  const smallBytes = await generateTree(small, { files: 2_000, bytes: 20_000_000, seed: 7 });
  console.log(
    `big: 20000 files, ${(bigBytes / 1e6).toFixed(0)} MB; small: 2000 files, ${(smallBytes / 1e6).toFixed(0)} MB; ${RUNS} runs each (median time, max RSS)`,
  );

  console.log(`load average before (1/5/15 min): ${load()} on ${availableParallelism()} cores`);
  const rows = [compare("200 MB / 20k files", big), compare("20 MB / 2k files", small)];
  const cacheDir = join(work, "compile-cache");
  mkdirSync(cacheDir);
  const cacheApp = join(work, "cache-app");
  await generateTree(cacheApp, { files: 200, bytes: 2_000_000, seed: 3 });
  writeFileSync(join(cacheApp, "deps.txt"), "some-dep 1.0.0\n");
  const buildpack = join(here, "..", "..", "packages", "pkgr", "test", "fixtures", "buildpacks", "cache");
  const cold = packWithPkgr(cacheApp, [buildpack, cacheDir, "48"]);
  const warm = packWithPkgr(cacheApp, [buildpack, cacheDir, "48"]);
  if (!cold.logs.some((l) => l.includes("cache miss")) || !warm.logs.some((l) => l.includes("cache hit"))) {
    throw new Error("the cache fixture did not miss then hit");
  }

  const checks = [];
  const s = (ms) => `${(ms / 1000).toFixed(2)} s`;
  console.log(`\nload average after (1/5/15 min): ${load()} on ${availableParallelism()} cores`);
  console.log(
    "\n| tree | buildPackage | tar -I pigz -cf | tar -czf | vs pigz | vs gzip | buildPackage peak RSS | tar peak RSS |",
  );
  console.log("|---|---|---|---|---|---|---|---|");
  for (const row of rows) {
    console.log(
      `| ${row.label} | ${s(row.pkgrMs)} | ${s(row.pigzMs)} | ${s(row.gzipMs)} | ${(row.pkgrMs / row.pigzMs).toFixed(2)}x | ${(row.pkgrMs / row.gzipMs).toFixed(2)}x | ${row.pkgrRssMb.toFixed(0)} MB | ${row.tarRssMb.toFixed(1)} MB |`,
    );
  }
  console.log("\nCPU time (user + system; medians), the same runs:");
  console.log("| tree | buildPackage | tar -I pigz -cf | tar -czf | vs pigz | vs gzip |");
  console.log("|---|---|---|---|---|---|");
  for (const row of rows) {
    console.log(
      `| ${row.label} | ${s(row.pkgrCpuMs)} | ${s(row.pigzCpuMs)} | ${s(row.gzipCpuMs)} | ${(row.pkgrCpuMs / row.pigzCpuMs).toFixed(2)}x | ${(row.pkgrCpuMs / row.gzipCpuMs).toFixed(2)}x |`,
    );
  }
  const vsPigz = rows[0].pkgrMs / rows[0].pigzMs;
  const vsGzip = rows[0].pkgrMs / rows[0].gzipMs;
  checks.push([
    `200 MB pack time vs tar -I pigz <= ${PIGZ_TARGET}x`,
    vsPigz <= PIGZ_TARGET,
    `${vsPigz.toFixed(2)}x`,
  ]);
  checks.push([
    `200 MB pack time vs tar -czf <= ${GZIP_TARGET}x`,
    vsGzip <= GZIP_TARGET,
    `${vsGzip.toFixed(2)}x`,
  ]);
  const rssGrowth = rows[0].pkgrRssMb / rows[1].pkgrRssMb;
  checks.push([
    `peak RSS 200 MB tree / 20 MB tree <= ${RSS_FLAT_TARGET}`,
    rssGrowth <= RSS_FLAT_TARGET,
    rssGrowth.toFixed(2),
  ]);
  const cacheRatio = warm.ms / cold.ms;
  console.log(
    `\nwarm compile cache: first build ${(cold.ms / 1000).toFixed(2)} s, second ${(warm.ms / 1000).toFixed(2)} s, ratio second/first ${cacheRatio.toFixed(2)}`,
  );
  checks.push([
    `warm-cache build / cold build <= ${CACHE_TARGET}`,
    cacheRatio <= CACHE_TARGET,
    cacheRatio.toFixed(2),
  ]);

  console.log("");
  for (const [name, ok, value] of checks) console.log(`${ok ? "ok  " : "MISS"} ${name}: ${value}`);
  process.exitCode = checks.every(([, ok]) => ok) ? 0 : 1;
} finally {
  rmSync(work, { recursive: true, force: true });
}
