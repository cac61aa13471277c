// Runs s3rver in its own process (node --openssl-legacy-provider: s3rver 3 encrypts
// ListObjectsV2 continuation tokens with DES, which OpenSSL 3 only has in its legacy provider).
// argv: <data directory> <bucket> [address, default 127.0.0.1]. Prints {"port":N} on stdout once listening; exits on SIGTERM
// or when its parent's stdin pipe closes.
// s3rver 3 lacks AbortMultipartUpload (it answers 405) and ListMultipartUploads (501); both are
// added here on its own files (an upload in progress is the folder <bucket>/._S3rver_uploads/<id>
// holding its key and parts), so tests can prove that a failed upload leaves no parts behind.
import { readdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import S3rver from "s3rver";

const [directory, bucket, address = "127.0.0.1"] = process.argv.slice(2);
const server = new S3rver({
  address,
  port: 0,
  silent: true,
  directory,
  configureBuckets: [{ name: bucket }],
});
const xml = (text) => text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** AbortMultipartUpload and ListMultipartUploads (with `prefix`), on s3rver's upload folders. */
async function multipartUploads(ctx, next) {
  const [, name, ...key] = ctx.path.split("/");
  const uploads = join(directory, decodeURIComponent(name ?? ""), "._S3rver_uploads");
  const id = ctx.query.uploadId;
  if (ctx.method === "DELETE" && key.length && typeof id === "string") {
    const folder = join(uploads, id);
    const safe = !id.includes("/") && !id.includes("..");
    const found = safe && (await readFile(join(folder, "key"), "utf8").catch(() => undefined));
    if (found === undefined || found === false) {
      ctx.status = 404;
      ctx.type = "application/xml";
      ctx.body = "<Error><Code>NoSuchUpload</Code><Message>No such upload</Message></Error>";
      return;
    }
    await rm(folder, { recursive: true, force: true });
    ctx.status = 204;
    return;
  }
  if (ctx.method === "GET" && !key.filter(Boolean).length && "uploads" in ctx.query) {
    const prefix = typeof ctx.query.prefix === "string" ? ctx.query.prefix : "";
    const ids = await readdir(uploads).catch(() => []);
    const listed = [];
    for (const upload of ids) {
      const uploadKey = await readFile(join(uploads, upload, "key"), "utf8").catch(() => undefined);
      if (uploadKey?.startsWith(prefix))
        listed.push(`<Upload><Key>${xml(uploadKey)}</Key><UploadId>${xml(upload)}</UploadId></Upload>`);
    }
    ctx.type = "application/xml";
    ctx.body = `<?xml version="1.0" encoding="UTF-8"?>\n<ListMultipartUploadsResult><Bucket>${xml(name)}</Bucket><Prefix>${xml(prefix)}</Prefix><IsTruncated>false</IsTruncated>${listed.join("")}</ListMultipartUploadsResult>`;
    return;
  }
  return next();
}
// Before s3rver's router (its last middleware).
server.middleware.splice(server.middleware.length - 1, 0, multipartUploads);

const { port } = await server.run();
process.stdout.write(`${JSON.stringify({ port })}\n`);
const stop = () => {
  server.httpServer.closeAllConnections();
  server.close().finally(() => process.exit(0));
};
process.on("SIGTERM", stop);
process.stdin.on("end", stop).resume();
