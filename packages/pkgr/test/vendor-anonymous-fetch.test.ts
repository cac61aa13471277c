// Issue 12 item 4: after the upload, vendor fetches the tarball anonymously, the way the
// buildpack's curl will, and warns with the fix when that fails (a private bucket: HTTP 403).
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { createFsStore, type DeployEvent } from "@deploykit/core";
import { vendorRuntime } from "@deploykit/pkgr";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { removeTempDirs, tempDir, writeFakeRuby } from "./fixtures/vendor-support/helpers";

let server: Server;
let base: string;
const requests: { url: string; authorization: string | undefined }[] = [];
let ruby: string;

beforeAll(async () => {
  // Stands in for the bucket's public endpoint: /private/* is AccessDenied, /public/* is served.
  server = createServer((request, response) => {
    requests.push({ url: request.url ?? "", authorization: request.headers.authorization });
    if (request.url?.startsWith("/private/")) {
      response.statusCode = 403;
      response.end("<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>");
    } else response.end("tarball bytes");
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const work = await tempDir("vendor-anon");
  ruby = join(work, "ruby-2.2.4");
  await writeFakeRuby(ruby, "2.2.4");
});
afterAll(async () => {
  await new Promise((done) => server.close(done));
  await removeTempDirs();
});

async function vendorTo(vendorUrl: string) {
  const events: DeployEvent[] = [];
  const result = await vendorRuntime({
    kind: "ruby",
    version: "2.2.4",
    from: ruby,
    stack: "cedar-14",
    store: createFsStore({ dir: await tempDir("vendor-anon-store") }),
    vendorUrl,
    onEvent: (e) => events.push(e),
  });
  return { result, warnings: events.flatMap((e) => (e.type === "warning" ? [e.message] : [])) };
}

describe("vendor's anonymous fetch check", () => {
  it("warns with the fix when the buildpack's anonymous GET is refused", async () => {
    const { result, warnings } = await vendorTo(`${base}/private/rubies`);
    expect(result.anonymousFetch).toEqual({
      url: `${base}/private/rubies/cedar-14/ruby-2.2.4.tgz`,
      ok: false,
      seen: "HTTP 403",
    });
    expect(warnings).toEqual([expect.stringContaining("AccessDenied")]);
    expect(warnings[0]).toMatch(/bucket policy .* public-read/);
    const get = requests.find((r) => r.url === "/private/rubies/cedar-14/ruby-2.2.4.tgz");
    expect(get?.authorization).toBeUndefined();
  });

  it("says nothing when the tarball is publicly readable", async () => {
    const { result, warnings } = await vendorTo(`${base}/public/rubies`);
    expect(result.anonymousFetch?.ok).toBe(true);
    expect(warnings).toEqual([]);
  });
});
