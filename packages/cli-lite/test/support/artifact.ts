import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { packRelease } from "../../../../test-support/release";

/** The server of the fixture app: answers every request with its version, on $PORT. */
const SERVER = `const http = require("node:http");
const version = require("./version.json");
http.createServer((req, res) => res.end(version)).listen(Number(process.env.PORT), "127.0.0.1");
`;

/**
 * Packs a tiny Node HTTP app (test-support's packRelease) and writes `<artifact>.manifest.json` next to
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
  const { path, manifest } = await packRelease({
    tree: src,
    dir,
    app,
    version,
    processes: { web: "node server.js" },
  });
  await writeFile(`${path}.manifest.json`, JSON.stringify(manifest, null, 2));
  return path;
}
