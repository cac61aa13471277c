// Builds the generated 200 MB / 20,000-file app as a .deb with writeDeb (gzip -6) and with
// `dpkg-deb --root-owner-group -Zgzip -z6 -b` on the same tree, in the same run, alternating
// runs after a warm-up. Targets: wall time <= 1.2x dpkg-deb, output size within 2%.
import { execFileSync, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { writeDeb } from "@deploykit/pkgr";
import { generateTree } from "../build/tree.mjs";

// `--quick`: a 20 MB / 2,000-file tree and one timed run, for trying changes out.
const QUICK = process.argv.includes("--quick");
const FILES = QUICK ? 2_000 : 20_000;
const BYTES = (QUICK ? 20 : 200) * 1024 * 1024;
const RUNS = QUICK ? 1 : 3;
const TIME_TARGET = 1.2;
const SIZE_TARGET = 0.02;

async function* walk(dir) {
  for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) =>
    a.name < b.name ? -1 : 1,
  )) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else yield path;
  }
}

/** dpkg-deb does not compute md5sums; give it the same control members ours has (untimed). */
async function prepareDpkgRoot(root) {
  await mkdir(join(root, "DEBIAN"), { recursive: true });
  const lines = [];
  for await (const file of walk(join(root, "opt"))) {
    lines.push(
      `${createHash("md5")
        .update(await readFile(file))
        .digest("hex")}  ${relative(root, file)}`,
    );
  }
  await writeFile(join(root, "DEBIAN", "md5sums"), `${lines.join("\n")}\n`);
  await writeFile(
    join(root, "DEBIAN", "control"),
    "Package: benchapp\nVersion: 1.0.0-1\nArchitecture: amd64\nMaintainer: Bench <bench@example.com>\nDescription: benchmark\n generated tree\n",
  );
}

function runDpkgDeb(root, out) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn("dpkg-deb", ["--root-owner-group", "-Zgzip", "-z6", "-b", root, out], {
      stdio: ["ignore", "ignore", "inherit"],
    });
    child.on("error", reject);
    child.on("exit", (code) =>
      code === 0 ? resolve(performance.now() - started) : reject(new Error(`dpkg-deb exited ${code}`)),
    );
  });
}

async function runOurs(appDir, outDir) {
  let peak = 0;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  const started = performance.now();
  const deb = await writeDeb({
    appDir,
    outDir,
    name: "benchapp",
    version: "1.0.0",
    iteration: "1",
    processes: { web: "node server.js", worker: "node worker.js" },
    compression: "gzip",
    compressionLevel: 6,
  });
  const ms = performance.now() - started;
  clearInterval(sampler);
  return { ms, deb, peak };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const mib = (bytes) => (bytes / 1024 / 1024).toFixed(1);

const work = await mkdtemp(join(tmpdir(), "bench-deb-"));
try {
  const root = join(work, "root");
  const appDir = join(root, "opt", "benchapp");
  console.log(`generating ${FILES} files, ${mib(BYTES)} MiB...`);
  const total = await generateTree(appDir, { files: FILES, bytes: BYTES });
  await prepareDpkgRoot(root);
  const dpkgOut = join(work, "dpkg.deb");
  const oursOut = join(work, "ours");
  await runDpkgDeb(root, dpkgOut); // warm-up (page cache)
  await runOurs(appDir, oursOut);
  const dpkgTimes = [];
  const oursTimes = [];
  let last;
  let peak = 0;
  for (let i = 0; i < RUNS; i++) {
    dpkgTimes.push(await runDpkgDeb(root, dpkgOut));
    globalThis.gc?.();
    const baseline = process.memoryUsage().rss;
    last = await runOurs(appDir, oursOut);
    oursTimes.push(last.ms);
    peak = Math.max(peak, last.peak - baseline);
  }
  execFileSync("dpkg-deb", ["--info", last.deb.path], { stdio: "ignore" });
  const dpkgSize = (await stat(dpkgOut)).size;
  const timeRatio = median(oursTimes) / median(dpkgTimes);
  const sizeRatio = last.deb.size / dpkgSize;
  console.table([
    {
      tool: "dpkg-deb -Zgzip -z6",
      "median ms": Math.round(median(dpkgTimes)),
      "size MiB": mib(dpkgSize),
      ratio: "1.00",
    },
    {
      tool: "writeDeb gzip 6",
      "median ms": Math.round(median(oursTimes)),
      "size MiB": mib(last.deb.size),
      ratio: timeRatio.toFixed(2),
    },
  ]);
  console.log(
    `tree ${mib(total)} MiB in ${FILES} files; runs: dpkg-deb ${dpkgTimes.map(Math.round).join("/")} ms, writeDeb ${oursTimes.map(Math.round).join("/")} ms`,
  );
  console.log(
    `time ratio ${timeRatio.toFixed(3)} (target <= ${TIME_TARGET}), size ratio ${sizeRatio.toFixed(4)} (target within ${SIZE_TARGET * 100}%), writeDeb RSS growth ${mib(peak)} MiB`,
  );
  const missed = [];
  if (timeRatio > TIME_TARGET) missed.push(`time ratio ${timeRatio.toFixed(3)} > ${TIME_TARGET}`);
  if (Math.abs(sizeRatio - 1) > SIZE_TARGET)
    missed.push(`size ratio ${sizeRatio.toFixed(4)} outside 1 +/- ${SIZE_TARGET}`);
  if (missed.length > 0) {
    console.log(`MISSED: ${missed.join("; ")}`);
    process.exitCode = 1;
  }
} finally {
  await rm(work, { recursive: true, force: true });
}
