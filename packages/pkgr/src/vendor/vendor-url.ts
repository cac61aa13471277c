import type { ArtifactStore } from "@deploykit/core";
import { DeployKitError } from "@deploykit/core";

const trimSlashes = (url: string) => url.replace(/\/+$/, "");

/**
 * The `BUILDPACK_VENDOR_URL` for a store: `override` when given (an http(s) or file URL), a
 * filesystem store's `file://` URL (curl reads those), an S3 store's public https URL (AWS
 * virtual-host form `https://<bucket>.s3.amazonaws.com/<prefix>`), or `undefined` for a store
 * with no URL the buildpack could download from (memory).
 *
 * @throws {@link DeployKitError} `E_INVALID_INPUT` for an override that is not a URL
 */
export function vendorBaseUrl(store: ArtifactStore, override?: string): string | undefined {
  if (override !== undefined) {
    const url = URL.canParse(override) ? new URL(override) : undefined;
    if (!url || !["http:", "https:", "file:"].includes(url.protocol)) {
      throw new DeployKitError(
        "E_INVALID_INPUT",
        `"${override}" is not a URL the buildpack can download from.`,
        {
          hint: "Pass the http(s) URL the store is served at, e.g. https://bucket.s3.amazonaws.com/rubies.",
          details: { vendorUrl: override },
        },
      );
    }
    return trimSlashes(override);
  }
  const location = store.location;
  if (location.startsWith("file:")) return trimSlashes(location);
  const s3 = /^s3:\/\/([^/]+)\/?(.*)$/.exec(location);
  if (s3) return trimSlashes(`https://${s3[1]}.s3.amazonaws.com/${s3[2]}`);
  return undefined;
}
