/**
 * Native `.deb` writing: {@link writeDeb} and the target table it checks compression against.
 *
 * @packageDocumentation
 */
export type { DebOptions, MaintainerHooks, WrittenDeb } from "./options";
export {
  DEB_TARGETS,
  type DebCompression,
  type DebTarget,
  type DebTargetInfo,
  type InitSystem,
  type ResolvedTarget,
  resolveTarget,
} from "./targets";
export { writeDeb } from "./writer";
