// Runs s3rver in its own process (node --openssl-legacy-provider: s3rver 3 encrypts
// ListObjectsV2 continuation tokens with DES, which OpenSSL 3 only has in its legacy provider).
// argv: <data directory> <bucket> [address, default 127.0.0.1]. Prints {"port":N} on stdout once listening; exits on SIGTERM
// or when its parent's stdin pipe closes.
import S3rver from "s3rver";

const [directory, bucket, address = "127.0.0.1"] = process.argv.slice(2);
const server = new S3rver({
  address,
  port: 0,
  silent: true,
  directory,
  configureBuckets: [{ name: bucket }],
});
const { port } = await server.run();
process.stdout.write(`${JSON.stringify({ port })}\n`);
const stop = () => {
  server.httpServer.closeAllConnections();
  server.close().finally(() => process.exit(0));
};
process.on("SIGTERM", stop);
process.stdin.on("end", stop).resume();
