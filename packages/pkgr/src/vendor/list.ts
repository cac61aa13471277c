import type { ArtifactStore } from "@deploykit/core";
import { parseVendorKey, resolveVendorLayout, type VendorLayout } from "./layout";
import type { VendorKind } from "./types";

/** One vendored tarball found in a store. */
export interface VendoredEntry {
  kind: VendorKind;
  version: string;
  /** The stack segment of the key; empty for stack-less kinds or an empty STACK. */
  stack: string;
  key: string;
  size: number;
  /** The sha256 recorded at upload, where the store keeps metadata. */
  sha256?: string;
}

/** Options for {@link listVendored}. */
export interface ListVendoredOptions {
  /** The layout the tarballs were vendored with (default: heroku-buildpack-ruby's). */
  layout?: Partial<VendorLayout>;
}

/**
 * Every tarball in the store whose key the layout produces (`deploykit vendor list`), sorted
 * by key; other objects (releases, channels) are ignored.
 *
 * @example
 * ```ts
 * for (const t of await listVendored(store)) console.log(t.kind, t.version, t.stack, t.key)
 * ```
 */
export async function listVendored(
  store: ArtifactStore,
  options: ListVendoredOptions = {},
): Promise<VendoredEntry[]> {
  const layout = resolveVendorLayout(options.layout);
  const entries: VendoredEntry[] = [];
  for (const object of await store.list("")) {
    const parsed = parseVendorKey(object.key, layout);
    if (!parsed) continue;
    // Listings carry no metadata (S3's neither): ask for each tarball's recorded sha256.
    const sha256 = (object.metadata ?? (await store.head(object.key))?.metadata)?.sha256;
    entries.push({ ...parsed, key: object.key, size: object.size, ...(sha256 ? { sha256 } : {}) });
  }
  return entries;
}
