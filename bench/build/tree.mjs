// Generates a deterministic app-like tree: nested directories of source-like text files
// (compressible about 3-4x with gzip, like real code) plus a few binary-ish files.
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";

const WORDS =
  "const let function return import export from class extends async await if else for while switch case break default new this true false null undefined require module exports def end do self yield lambda puts render params json string number object array map filter reduce value key index length".split(
    " ",
  );

/** A small, fast deterministic PRNG (mulberry32). */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function textOf(random, size) {
  const parts = [];
  let length = 0;
  while (length < size) {
    const indent = "  ".repeat(Math.floor(random() * 4));
    const words = [];
    const n = 3 + Math.floor(random() * 9);
    for (let i = 0; i < n; i++) {
      const w = WORDS[Math.floor(random() * WORDS.length)];
      words.push(random() < 0.15 ? `${w}${Math.floor(random() * 100000)}` : w);
    }
    const line = `${indent}${words.join(" ")};\n`;
    parts.push(line);
    length += line.length;
  }
  return parts.join("").slice(0, size);
}

/**
 * Writes `files` files totalling about `bytes` bytes under `dir` (100 files per directory,
 * directories nested two levels), with a Procfile at the root. Returns the real byte count.
 */
export async function generateTree(dir, { files, bytes, seed = 42 }) {
  const random = prng(seed);
  const average = Math.floor(bytes / files);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, "Procfile"), "web: node server.js\nworker: node worker.js\n");
  let total = 0;
  for (let i = 0; i < files; i++) {
    const folder = join(dir, "app", `m${Math.floor(i / 1000)}`, `d${Math.floor(i / 100) % 10}`);
    if (i % 100 === 0) await mkdir(folder, { recursive: true });
    const size = Math.max(16, Math.floor(average * (0.25 + 1.5 * random())));
    let body;
    if (i % 50 === 0) {
      body = Buffer.alloc(size);
      for (let j = 0; j < size; j += 4)
        body.writeUInt32LE((random() * 4294967296) >>> 0, Math.min(j, size - 4));
    } else {
      body = textOf(random, size);
    }
    await writeFile(join(folder, `f${i}.js`), body);
    total += size;
  }
  return total;
}
