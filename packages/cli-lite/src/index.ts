/**
 * The `deploykit` command line: argument parsing and rendering over the deploykit SDK, with no
 * logic of its own. Embed it with {@link runCli}; the binary is `deploykit` (dist/cli.js).
 *
 * @packageDocumentation
 */
export { CONFIG_FILES, CONFIG_KEYS } from "./config";
export type { CliIo } from "./io";
export { processIo } from "./io";
export { EXIT, runCli } from "./run";
