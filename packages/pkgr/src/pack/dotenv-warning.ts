import { readdir } from "node:fs/promises";
import type { EventSink } from "@deploykit/core";
import type { IgnoreRules } from "./ignore-rules";

/** Local environment files that usually hold developer secrets: `.env`, `.env.local`, `.env.production`... */
const DOTENV = /^\.env(\..+)?$/;

/**
 * Warns (a `warning` event of the `pack` step) about `.env*` files in the app root that the
 * ignore rules would pack: they usually hold a developer's secrets, and nothing else would
 * say that they are shipped. Add them to `.slugignore` or `.pkgrignore` to leave them out.
 */
export async function warnAboutDotenvFiles(
  appDir: string,
  rules: IgnoreRules,
  onEvent: EventSink | undefined,
): Promise<void> {
  if (!onEvent) return;
  const entries = await readdir(appDir, { withFileTypes: true });
  const packed = entries
    .filter((entry) => entry.isFile() && DOTENV.test(entry.name) && !rules.ignores(entry.name, false))
    .map((entry) => entry.name)
    .sort();
  if (packed.length === 0) return;
  onEvent({
    type: "warning",
    step: "pack",
    message: `${packed.join(", ")} will be packed into the release: such files usually hold local secrets. List them in .slugignore or .pkgrignore to leave them out.`,
  });
}
