import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { resolvePorts, step, throwIfAborted } from "@deploykit/core";
import { checkAnonymousFetch } from "./anonymous-fetch";
import { packRuntime } from "./pack";
import { planVendor } from "./plan";
import { prepareRuntime } from "./prepare";
import { loadVendorSignKey, signVendoredTarball } from "./sign";
import type { VendoredRuntime, VendorOptions } from "./types";
import { uploadTarball } from "./upload";
import { assertRuntime } from "./validate";
import { urlPath, vendorBaseUrl } from "./vendor-url";

/** The first step's name and verb per input: its `log` events carry the same step name. */
const PREPARE_STEP = {
  directory: ["read", "Reading"],
  archive: ["unpack", "Unpacking"],
  gem: ["install", "Installing"],
  build: ["build", "Building"],
} as const;

/**
 * Vendors a buildpack runtime: turns a prebuilt archive, a directory, a `.gem` or a source
 * tarball into a reproducible `.tgz` holding the runtime at its root, checks it holds what the
 * buildpack needs, and uploads it create-only under the layout's key (heroku-buildpack-ruby's
 * `<stack>/ruby-<v>.tgz`, `bundler-<v>.tgz`, `libyaml-<v>.tgz` by default). Vendoring the same
 * bytes again is a no-op; other bytes under the same key are `E_VERSION_EXISTS`.
 *
 * Steps (events): `unpack`, `read`, `install` (with `log` lines from gem) or `build` (with `log`
 * lines from configure and make), then `validate`, `pack`, `upload`, and `sign` with a `signKey`.
 * After the upload, an http(s) vendor URL is fetched anonymously, as the buildpack's curl will;
 * a failure is a `warning` event naming the fix (bucket policy or public-read ACL) and
 * `anonymousFetch.ok: false` in the result.
 *
 * @throws `DeployKitError` `E_INVALID_INPUT`, `E_NOT_FOUND`, `E_UNSUPPORTED_FORMAT`,
 * `E_TOOL_MISSING`, `E_COMMAND_FAILED`, `E_VENDOR_INVALID`, `E_VERSION_EXISTS`, `E_ABORTED`
 *
 * @example
 * ```ts
 * const ruby = await vendorRuntime({
 *   kind: "ruby", version: "2.2.4", from: "ruby-2.2.4.tar.bz2", stack: "cedar-14",
 *   store: createS3Store({ bucket: "ttm-pkgr", prefix: "rubies" }),
 * })
 * // ruby.env → { BUILDPACK_VENDOR_URL: "https://ttm-pkgr.s3.us-east-1.amazonaws.com/rubies", STACK: "cedar-14" }
 * ```
 */
export async function vendorRuntime(options: VendorOptions): Promise<VendoredRuntime> {
  const { kind, version, store, onEvent, signal } = options;
  const plan = await planVendor(options);
  const baseUrl = await vendorBaseUrl(store, options.vendorUrl);
  const signKey = await loadVendorSignKey(options.signKey);
  throwIfAborted(signal);
  const scratch = await mkdtemp(join(options.tmpDir ?? tmpdir(), "deploykit-vendor-"));
  try {
    const what = `${kind} ${version}`;
    const ctx = {
      kind,
      version,
      runner: options.runner ?? resolvePorts().runner,
      scratch,
      configureArgs: options.configureArgs ?? [],
      makeArgs: options.makeArgs ?? [],
      onEvent,
      signal,
    };
    const root = await step(
      onEvent,
      PREPARE_STEP[plan.source.type][0],
      `${PREPARE_STEP[plan.source.type][1]} ${plan.source.path}`,
      () => prepareRuntime(plan.source, ctx),
    );
    throwIfAborted(signal);
    await step(onEvent, "validate", `Checking the ${what} runtime`, () =>
      assertRuntime(root, kind, version, plan.source.path),
    );
    const tarball = await step(onEvent, "pack", `Packing ${plan.key}`, () =>
      packRuntime(root, join(scratch, "runtime.tgz"), onEvent, signal),
    );
    throwIfAborted(signal);
    const { unchanged } = await step(onEvent, "upload", `Uploading ${plan.key} to ${store.location}`, () =>
      uploadTarball({ store, key: plan.key, tarball, what, onEvent, signal }),
    );
    const publicUrl = baseUrl === undefined ? undefined : `${baseUrl}/${urlPath(plan.key)}`;
    const anonymousFetch =
      publicUrl === undefined ? undefined : await checkAnonymousFetch(publicUrl, onEvent, signal);
    const signatureKey =
      signKey &&
      (await step(onEvent, "sign", `Signing ${plan.key}`, () =>
        signVendoredTarball({ store, key: plan.key, tarball, signKey, ...(signal ? { signal } : {}) }),
      ));
    return {
      kind,
      version,
      stack: plan.stack,
      key: plan.key,
      size: tarball.size,
      sha256: tarball.sha256,
      unchanged,
      ...(signatureKey ? { signatureKey } : {}),
      location: store.location,
      ...(publicUrl === undefined ? {} : { url: publicUrl }),
      ...(anonymousFetch ? { anonymousFetch } : {}),
      env: { ...(baseUrl === undefined ? {} : { BUILDPACK_VENDOR_URL: baseUrl }), STACK: plan.stack },
    };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
