import type { ArtifactStore, OperationOptions, ProcessRunner, SignKey } from "@deploykit/core";
import type { AnonymousFetch } from "./anonymous-fetch";
import type { VendorLayout } from "./layout";
import type { ToolLookup } from "./tools";

/** What a vendored tarball holds: a ruby interpreter, the bundler gem, or the libyaml library. */
export type VendorKind = "ruby" | "bundler" | "libyaml";

/** Every {@link VendorKind}, in the order `deploykit vendor` lists them. */
export const VENDOR_KINDS: readonly VendorKind[] = ["ruby", "bundler", "libyaml"];

/** Options for {@link vendorRuntime}. Give exactly one of `from` and `build`. */
export interface VendorOptions extends OperationOptions {
  /** Which runtime this is; decides the key and what the tarball must contain. */
  kind: VendorKind;
  /** The runtime's version as the buildpack asks for it, e.g. `2.2.4` for `ruby-2.2.4.tgz`. */
  version: string;
  /**
   * A prebuilt runtime: an archive (`.tar.gz`, `.tgz`, `.tar.bz2`, `.tar.xz`; a single top-level
   * folder is stripped), a directory holding the runtime at its root, or a `.gem` (installed with
   * `gem install --install-dir <tmp> --no-document`).
   */
  from?: string;
  /**
   * A source tree to compile, as an archive or a directory: `./configure --prefix=<tmp>
   * [configureArgs]`, `make [makeArgs]`, `make install`; the installed prefix is what gets tarred.
   */
  build?: string;
  /** Extra arguments for `./configure` (with `build`). */
  configureArgs?: readonly string[];
  /** Extra arguments for both `make` runs (with `build`), e.g. `["-j2"]`. */
  makeArgs?: readonly string[];
  /** The buildpack's `STACK` (e.g. `cedar-14`); empty (the default) means no stack path segment. */
  stack?: string;
  /** Where the tarball is uploaded; its root (or S3 prefix) is what `BUILDPACK_VENDOR_URL` points at. */
  store: ArtifactStore;
  /** Key templates for forks of the buildpack; unset kinds keep {@link DEFAULT_VENDOR_LAYOUT}. */
  layout?: Partial<VendorLayout>;
  /** The public URL the buildpack downloads from, when the store's own URL is not the one to use. */
  vendorUrl?: string;
  /** Runs `tar`, `gem`, `configure` and `make`; defaults to the execa runner. */
  runner?: ProcessRunner;
  /** Finds external tools on the PATH; override to point at other binaries (or to simulate absence). */
  findTool?: ToolLookup;
  /** Parent of the scratch directory (default: the OS temp dir); the scratch is removed afterwards. */
  tmpDir?: string;
  /**
   * Sign the tarball with this minisign secret key (a `readSecretKey` key or an unencrypted key
   * file's path): `<key>.minisig` next to it. Buildpacks fetch with curl and cannot verify it.
   */
  signKey?: SignKey;
}

/** What {@link vendorRuntime} produced and where it went. */
export interface VendoredRuntime {
  kind: VendorKind;
  version: string;
  /** The stack used for the key (may be empty). */
  stack: string;
  /** The store key of the tarball, e.g. `cedar-14/ruby-2.2.4.tgz`. */
  key: string;
  /** Size of the tarball in bytes. */
  size: number;
  /** Hex sha256 of the tarball (also stored as the object's `sha256` metadata). */
  sha256: string;
  /** True when the same bytes were already stored under the key (nothing was written). */
  unchanged: boolean;
  /** The store key of its minisign signature, when signed (`signKey`). */
  signatureKey?: string;
  /** The store's location, e.g. `s3://bucket/rubies`. */
  location: string;
  /** Where the buildpack downloads this tarball from: `<BUILDPACK_VENDOR_URL>/<key>`, when known. */
  url?: string;
  /** What an anonymous GET of `url` got (http(s) URLs only): what the buildpack's curl will see. */
  anonymousFetch?: AnonymousFetch;
  /** The variables to pass to the build (`deploykit package --env`), so the buildpack finds the tarball. */
  env: { BUILDPACK_VENDOR_URL?: string; STACK: string };
}
