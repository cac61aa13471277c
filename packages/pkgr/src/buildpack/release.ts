import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { shellQuote } from "@deploykit/core";
import { parse } from "yaml";

/** What a buildpack's `bin/release` declared. */
export interface ReleaseInfo {
  defaultProcessTypes: Record<string, string>;
  configVars: Record<string, string>;
}

const stringMap = (value: unknown): Record<string, string> => {
  if (!value || typeof value !== "object" || Array.isArray(value)) return {};
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== null && v !== undefined)
      .map(([k, v]) => [k, String(v)]),
  );
};

/** Parses `bin/release` YAML output (`default_process_types`, `config_vars`; `addons` ignored). */
export function parseRelease(text: string): ReleaseInfo {
  // The failsafe schema keeps every scalar as written: `0755` stays `0755`, `1e3` stays `1e3`
  // (the core schema would turn them into the numbers 755 and 1000).
  const doc = (text.trim() ? parse(text, { schema: "failsafe" }) : {}) as Record<string, unknown> | null;
  return {
    defaultProcessTypes: stringMap(doc?.default_process_types),
    configVars: stringMap(doc?.config_vars),
  };
}

/**
 * Writes `config_vars` as `.profile.d/00_config_vars.sh` in the build dir, like herokuish:
 * each var is exported with its release value unless the runtime environment already sets it.
 */
export async function writeConfigVarsProfile(buildDir: string, vars: Record<string, string>): Promise<void> {
  const names = Object.keys(vars).filter((name) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(name));
  if (names.length === 0) return;
  const lines = names.map(
    (name) => `[ -n "\${${name}:-}" ] || ${name}=${shellQuote(vars[name] ?? "")}; export ${name}`,
  );
  await mkdir(join(buildDir, ".profile.d"), { recursive: true });
  await writeFile(join(buildDir, ".profile.d", "00_config_vars.sh"), `${lines.join("\n")}\n`, {
    mode: 0o644,
  });
}
