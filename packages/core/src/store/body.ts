import { Readable } from "node:stream";

/** Turns any accepted `put` body into a stream. */
export function toReadable(body: Readable | Uint8Array | string): Readable {
  if (typeof body === "string" || body instanceof Uint8Array) return Readable.from([Buffer.from(body)]);
  return body;
}
