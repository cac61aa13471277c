// One buildPackage run in its own process, so its wall time and peak RSS are its own.
// Usage: node pack-once.mjs <appDir> <outDir> [buildpackDir compileCacheDir cacheFixtureMb]
// Prints one JSON line: { ms, cpuMs (user + system, all threads), maxRssKb, size, logs }.
import { buildPackage } from "@deploykit/pkgr";

const [appDir, outDir, buildpack, compileCacheDir, cacheFixtureMb] = process.argv.slice(2);
const logs = [];
const started = performance.now();
const pkg = await buildPackage({
  appDir,
  outDir,
  version: "1.0.0",
  readPkgrYml: false,
  ...(buildpack
    ? {
        buildpacks: [buildpack],
        compileCacheDir,
        env: { CACHE_FIXTURE_MB: cacheFixtureMb ?? "48" },
      }
    : {}),
  onEvent: (e) => {
    if (e.type === "log") logs.push(e.line);
  },
});
const ms = performance.now() - started;
const usage = process.resourceUsage();
console.log(
  JSON.stringify({
    ms,
    cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000,
    maxRssKb: usage.maxRSS,
    size: pkg.manifest.artifact.size,
    logs,
  }),
);
