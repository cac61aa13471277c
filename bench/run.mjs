// Runs every benchmark suite under bench/<name>/run.mjs (or only the names given as arguments),
// one after the other so they do not compete for the two cores. Each suite prints its own table
// of figures next to its baseline tool and exits non-zero when a target is missed.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const suites = readdirSync(here, { withFileTypes: true })
  .filter((e) => e.isDirectory() && existsSync(join(here, e.name, "run.mjs")))
  .map((e) => e.name)
  .filter((name) => wanted.length === 0 || wanted.includes(name))
  .sort();

const failed = [];
for (const name of suites) {
  console.log(`\n=== bench/${name} ===`);
  const { status } = spawnSync(process.execPath, ["--expose-gc", join(here, name, "run.mjs")], {
    stdio: "inherit",
  });
  if (status !== 0) failed.push(name);
}
console.log(
  `\n${suites.length - failed.length} suites met their targets${failed.length ? `; missed: ${failed.join(", ")}` : ""}.`,
);
process.exit(failed.length ? 1 : 0);
