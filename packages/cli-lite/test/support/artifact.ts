import { createHash } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";

/** The server of the fixture app: answers every request with its version, on $PORT. */
const SERVER = `const http = require("node:http");
const version = require("./version.json");
http.createServer((req, res) => res.end(version)).listen(Number(process.env.PORT), "127.0.0.1");
`;

/**
 * Packs a tiny Node HTTP app with the real `tar` and writes `<artifact>.manifest.json` next to
 * it (the layout `deploykit build` produces). `crash: true` makes the app exit at boot.
 */
export async function makeArtifact(
  dir: string,
  app: string,
  version: string,
  options: { crash?: boolean } = {},
): Promise<string> {
  const src = join(dir, `src-${version}`);
  await mkdir(src, { recursive: true });
  await writeFile(join(src, "Procfile"), "web: node server.js\n");
  await writeFile(join(src, "version.json"), JSON.stringify(version));
  await writeFile(join(src, "server.js"), options.crash ? "process.exit(3);\n" : SERVER);
  const file = `${app}-${version}.tgz`;
  const path = join(dir, file);
  await execa("tar", ["-czf", path, "-C", src, "."]);
  const bytes = await readFile(path);
  const manifest = {
    schemaVersion: 1,
    app,
    version,
    format: "tgz",
    artifact: { file, size: bytes.length, sha256: createHash("sha256").update(bytes).digest("hex") },
    createdAt: new Date().toISOString(),
    build: { buildpacks: [] },
    processes: { web: "node server.js" },
  };
  await writeFile(`${path}.manifest.json`, JSON.stringify(manifest, null, 2));
  return path;
}
