import { createHttpProbe, type EventSink, probeHealth } from "@deploykit/core";

/** What the buildpack's own download of a vendored tarball would see. */
export interface AnonymousFetch {
  /** The URL fetched: `<BUILDPACK_VENDOR_URL>/<key>`. */
  url: string;
  /** A 2xx answer to a GET without credentials. */
  ok: boolean;
  /** `HTTP 200`, `HTTP 403: <Error><Code>AccessDenied…`, or the connection error. */
  seen: string;
}

/**
 * GETs an uploaded tarball the way heroku-buildpack-ruby's `curl` will — plain HTTP, no
 * credentials — and warns (a `warning` event of step `upload`) with the fix when that fails:
 * the store accepted the upload with our credentials, but a private bucket answers the
 * buildpack 403 and the build dies much later. Only for http(s) URLs (`file://` is read as is).
 * Never throws for an answer; rejects only with `E_ABORTED`.
 */
export async function checkAnonymousFetch(
  url: string,
  onEvent: EventSink | undefined,
  signal: AbortSignal | undefined,
): Promise<AnonymousFetch | undefined> {
  if (!/^https?:\/\//.test(url)) return undefined;
  const outcome = await probeHealth(createHttpProbe(), url, { timeoutMs: 30_000, signal });
  const seen = outcome.status === undefined ? outcome.seen : `HTTP ${outcome.status}`;
  if (!outcome.ok) {
    onEvent?.({
      type: "warning",
      step: "upload",
      message:
        `The buildpack cannot download ${url} (an anonymous GET got ${outcome.seen.slice(0, 120)}). ` +
        "Make the vendored objects readable without credentials: a bucket policy that allows " +
        "s3:GetObject to everyone on the vendor prefix, or a public-read ACL on each object " +
        "(aws s3api put-object-acl --acl public-read), or pass the URL they are served at as vendorUrl.",
    });
  }
  return { url, ok: outcome.ok, seen };
}
