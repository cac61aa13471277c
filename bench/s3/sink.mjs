// A loopback S3 endpoint that only receives: it speaks just enough of the S3 protocol for one
// upload (PutObject; CreateMultipartUpload, UploadPart, CompleteMultipartUpload, AbortMultipartUpload)
// and throws the bytes away, counting them. Uploading to it measures what the client does with the
// bytes (reading, part buffering, signing, the HTTP stream), not what a particular server does
// with them afterwards, so deploykit and curl are compared on the same, nearly free, receiver.
// Run as a child process: prints `{ "port": N }`, then, for every finished object, one line
// `{ "key": ..., "bytes": N }` to stdout.
import { createServer } from "node:http";

let uploads = 0;
/** Bytes received per multipart upload id. */
const parts = new Map();

const xml = (response, body) => {
  response.writeHead(200, { "content-type": "application/xml" });
  response.end(`<?xml version="1.0" encoding="UTF-8"?>\n${body}`);
};

const server = createServer((request, response) => {
  const url = new URL(request.url ?? "/", "http://sink");
  const [, bucket, ...rest] = url.pathname.split("/");
  const key = decodeURIComponent(rest.join("/"));
  const uploadId = url.searchParams.get("uploadId");
  let bytes = 0;
  request.on("data", (chunk) => {
    bytes += chunk.length;
  });
  request.on("end", () => {
    if (request.method === "POST" && url.searchParams.has("uploads")) {
      const id = `upload-${++uploads}`;
      parts.set(id, 0);
      return xml(
        response,
        `<InitiateMultipartUploadResult><Bucket>${bucket}</Bucket><Key>${key}</Key><UploadId>${id}</UploadId></InitiateMultipartUploadResult>`,
      );
    }
    if (request.method === "PUT" && uploadId) {
      parts.set(uploadId, (parts.get(uploadId) ?? 0) + bytes);
      response.writeHead(200, { etag: `"part-${url.searchParams.get("partNumber")}"` });
      return response.end();
    }
    if (request.method === "POST" && uploadId) {
      process.stdout.write(`${JSON.stringify({ key, bytes: parts.get(uploadId) ?? 0 })}\n`);
      parts.delete(uploadId);
      return xml(
        response,
        `<CompleteMultipartUploadResult><Bucket>${bucket}</Bucket><Key>${key}</Key><ETag>"multipart"</ETag></CompleteMultipartUploadResult>`,
      );
    }
    if (request.method === "PUT") {
      process.stdout.write(`${JSON.stringify({ key, bytes })}\n`);
      response.writeHead(200, { etag: '"single"' });
      return response.end();
    }
    if (request.method === "DELETE" && uploadId) {
      parts.delete(uploadId);
      response.writeHead(204);
      return response.end();
    }
    // HEAD and GET: nothing is ever stored.
    response.writeHead(404, { "content-type": "application/xml" });
    response.end(
      request.method === "HEAD" ? undefined : "<Error><Code>NoSuchKey</Code><Message>sink</Message></Error>",
    );
  });
});
server.keepAliveTimeout = 30_000;
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`);
});
process.on("SIGTERM", () => process.exit(0));
