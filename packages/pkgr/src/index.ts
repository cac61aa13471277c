/**
 * Build app packages from a source tree, plainly or through Heroku buildpacks, pkgr-compatible:
 * `buildPackage` (reproducible `.tgz`), `parsePkgrArgs` (pkgr's command line), `.pkgr.yml` support.
 *
 * @packageDocumentation
 */
export type { ArtifactMetadata, ArtifactRequest, ArtifactWriter } from "./artifact-writer";
export { artifactWriter } from "./artifact-writers";
export { buildPackage } from "./build";
export { MIN_ENCODED_LENGTH, MIN_SECRET_LENGTH } from "./buildpack/secret-forms";
export {
  DEFAULT_SECRET_NAME_PATTERN,
  isSecret,
  type SecretRules,
  secretValues,
} from "./buildpack/secrets";
export { type BuildpackSpec, parseBuildpackSpec } from "./buildpack/spec";
export * from "./deb/index";
export type { BuildFormat, BuildOptions, PackageMetadata } from "./options";
export { IGNORE_FILES, type IgnoreRules, loadIgnoreRules } from "./pack/ignore-rules";
export { type TgzOptions, writeTgz } from "./pack/tgz";
export type { OnSkip, SpecialFileKind } from "./pack/walk";
export { type ArtifactWriterOptions, type WrittenArtifact, writeHashed } from "./pack/write-hashed";
export { type PkgrArgs, parsePkgrArgs, timestampIteration } from "./pkgr-args";
export { mergePkgrOptions, type PkgrYmlOptions, pkgrYmlToOptions, readPkgrYml } from "./pkgr-yml";
export { parseProcfile, readProcfile } from "./procfile";
export { DEFAULT_MTIME } from "./reproducible-mtime";
export * from "./vendor/index";
