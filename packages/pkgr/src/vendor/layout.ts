import { assertStoreKey, DeployKitError } from "@deploykit/core";
import { escapeRegExp } from "../escape-regexp";
import type { VendorKind } from "./types";

/**
 * One key template per kind. Placeholders: `{version}` (required) and `{stack}`; after
 * substitution empty path segments are dropped, so an empty STACK gives no `//` in the key.
 */
export type VendorLayout = Record<VendorKind, string>;

/**
 * heroku-buildpack-ruby's layout under `BUILDPACK_VENDOR_URL`: rubies per stack, bundler and
 * libyaml shared by every stack.
 */
export const DEFAULT_VENDOR_LAYOUT: Readonly<VendorLayout> = {
  ruby: "{stack}/ruby-{version}.tgz",
  bundler: "bundler-{version}.tgz",
  libyaml: "libyaml-{version}.tgz",
};

/** Values substituted into a {@link VendorLayout} template. */
export interface VendorKeyValues {
  version: string;
  stack: string;
}

const PLACEHOLDER = /\{([^{}]*)\}/g;
const VERSION = /^[A-Za-z0-9][A-Za-z0-9._+-]*$/;
const STACK = /^([A-Za-z0-9][A-Za-z0-9._-]*)?$/;
const PATTERNS: Record<string, string> = {
  version: "([A-Za-z0-9][A-Za-z0-9._+-]*)",
  stack: "([A-Za-z0-9][A-Za-z0-9._-]*)",
};

const invalid = (message: string, hint: string, details: Record<string, unknown>) =>
  new DeployKitError("E_INVALID_INPUT", message, { hint, details });

/**
 * Checks a key template: `{version}` exactly once, `{stack}` at most once, nothing else in braces.
 *
 * @throws `DeployKitError` `E_INVALID_INPUT`
 */
export function assertVendorTemplate(template: string): void {
  const names = [...template.matchAll(PLACEHOLDER)].map((m) => m[1]);
  const count = (name: string) => names.filter((n) => n === name).length;
  const unknown = names.filter((n) => n !== "version" && n !== "stack");
  if (
    count("version") !== 1 ||
    count("stack") > 1 ||
    unknown.length > 0 ||
    /[{}]/.test(template.replace(PLACEHOLDER, ""))
  ) {
    throw invalid(
      `"${template}" is not a valid vendor key template.`,
      'Use {version} once and {stack} at most once, e.g. "{stack}/ruby-{version}.tgz".',
      { template, unknown },
    );
  }
}

/**
 * Checks a runtime version and a stack name before they become part of a store key.
 *
 * @throws `DeployKitError` `E_INVALID_INPUT`
 */
export function assertVendorValues(values: VendorKeyValues): void {
  if (!VERSION.test(values.version)) {
    throw invalid(
      `"${values.version}" is not a valid runtime version.`,
      "Use the version the buildpack asks for, e.g. 2.2.4 or 1.9.7 (letters, digits, '.', '_', '+', '-').",
      { version: values.version },
    );
  }
  if (!STACK.test(values.stack)) {
    throw invalid(
      `"${values.stack}" is not a valid stack name.`,
      "Use the buildpack's STACK value, e.g. cedar-14 or heroku-24, or leave it empty.",
      { stack: values.stack },
    );
  }
}

const dropEmptySegments = (key: string) =>
  key
    .split("/")
    .filter((segment) => segment !== "")
    .join("/");

/**
 * Renders a template into a store key, e.g. `{stack}/ruby-{version}.tgz` with stack `cedar-14`
 * and version `2.2.4` gives `cedar-14/ruby-2.2.4.tgz`, and with an empty stack `ruby-2.2.4.tgz`.
 *
 * @throws `DeployKitError` `E_INVALID_INPUT`
 */
export function renderVendorKey(template: string, values: VendorKeyValues): string {
  assertVendorTemplate(template);
  assertVendorValues(values);
  const key = dropEmptySegments(
    template.replace(PLACEHOLDER, (_, name: string) => (name === "stack" ? values.stack : values.version)),
  );
  assertStoreKey(key);
  return key;
}

/** Fills unset kinds of a partial layout with the defaults and checks every template. */
export function resolveVendorLayout(layout: Partial<VendorLayout> = {}): VendorLayout {
  const resolved = { ...DEFAULT_VENDOR_LAYOUT, ...layout };
  for (const template of Object.values(resolved)) assertVendorTemplate(template);
  return resolved;
}

/** A regular expression matching keys rendered from `template`; captures in placeholder order. */
function templatePattern(template: string): { regex: RegExp; names: string[] } {
  const names: string[] = [];
  let source = "";
  let last = 0;
  for (const match of template.matchAll(PLACEHOLDER)) {
    source += escapeRegExp(template.slice(last, match.index));
    const name = match[1] as string;
    names.push(name);
    source += PATTERNS[name];
    last = match.index + match[0].length;
  }
  source += escapeRegExp(template.slice(last));
  return { regex: new RegExp(`^${source}$`), names };
}

/**
 * Reads a store key back into kind, version and stack using a layout, or `undefined` when the
 * key is not one the layout produces.
 */
export function parseVendorKey(
  key: string,
  layout: VendorLayout,
): ({ kind: VendorKind } & VendorKeyValues) | undefined {
  for (const [kind, template] of Object.entries(layout) as [VendorKind, string][]) {
    const variants = [template, dropEmptySegments(template.replace("{stack}", ""))];
    for (const variant of variants) {
      const { regex, names } = templatePattern(variant);
      const match = regex.exec(key);
      if (!match) continue;
      const value = (name: string) => match[names.indexOf(name) + 1] ?? "";
      return { kind, version: value("version"), stack: names.includes("stack") ? value("stack") : "" };
    }
  }
  return undefined;
}
