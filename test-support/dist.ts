import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const repoRoot = fileURLToPath(new URL("..", import.meta.url));

/**
 * Loads a published entry point (e.g. `@deploykit/core/testing`) the way a user's project would:
 * in a fresh Node process, through node_modules and the package's `exports` map, once with
 * `import` and once with `require`. Returns the sorted export names each way.
 */
export function loadBuilt(specifier: string): { esm: string[]; cjs: string[] } {
  const run = (args: string[]) =>
    JSON.parse(execFileSync(process.execPath, args, { cwd: repoRoot, encoding: "utf8" })) as string[];
  const esm = run([
    "--input-type=module",
    "-e",
    `const m = await import(${JSON.stringify(specifier)}); console.log(JSON.stringify(Object.keys(m).filter((k) => k !== "default" && k !== "module.exports").sort()))`,
  ]);
  const cjs = run([
    "-e",
    `console.log(JSON.stringify(Object.keys(require(${JSON.stringify(specifier)})).sort()))`,
  ]);
  return { esm, cjs };
}
