// A tiny HTTP app for the deploykit demo. It answers with the version it was built as, read
// from the VERSION file the build wrote next to it (or package.json when run from source).
import { existsSync, readFileSync } from "node:fs";
import { createServer } from "node:http";

const here = new URL(".", import.meta.url);
const versionFile = new URL("VERSION", here);
const version = existsSync(versionFile)
  ? readFileSync(versionFile, "utf8").trim()
  : JSON.parse(readFileSync(new URL("package.json", here), "utf8")).version;
const port = Number(process.env.PORT ?? 3000);

const server = createServer((request, response) => {
  if (request.url === "/health") {
    response.setHeader("content-type", "application/json");
    response.end(JSON.stringify({ status: "ok", version }));
    return;
  }
  response.end(`hello from hello-node ${version}\n`);
});

server.listen(port, "127.0.0.1", () => console.log(`hello-node ${version} listening on ${port}`));
// Finish open requests, then exit, when the deploy tool asks us to stop.
process.on("SIGTERM", () => server.close(() => process.exit(0)));
