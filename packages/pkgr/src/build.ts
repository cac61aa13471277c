import { mkdir, mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, relative, resolve, sep } from "node:path";
import {
  assertAppName,
  assertTgzVersion,
  assertVersion,
  type BuiltPackage,
  DeployKitError,
  parseManifest,
  step,
  throwIfAborted,
} from "@deploykit/core";
import { artifactWriter } from "./artifact-writers";
import { createRedactor, type Redactor, redactDeep } from "./buildpack/redact";
import { createSecretScanner } from "./buildpack/secret-scan";
import { secretValues } from "./buildpack/secrets";
import {
  type BuildpackSpec,
  buildpacksFileOf,
  parseBuildpackSpec,
  readBuildpacksFile,
} from "./buildpack/spec";
import { defaultBuildpackCacheDir, defaultCompileCacheDir } from "./cache-dirs";
import { compileApp } from "./compile-app";
import { defaultVersion, sourceCommit } from "./git-facts";
import { liftBuildpackVars } from "./lift-vars";
import type { BuildOptions } from "./options";
import { warnAboutDotenvFiles } from "./pack/dotenv-warning";
import { gitOnlyRules, loadIgnoreRules, withoutBuildOutput } from "./pack/ignore-rules";
import { mergePkgrOptions, readPkgrYml } from "./pkgr-yml";
import { readProcfile, serviceTypes } from "./procfile";
import { redactingSink } from "./redacting-sink";
import { reproducibleMtime } from "./reproducible-mtime";

async function assertDirectory(path: string): Promise<void> {
  const info = await stat(path).catch(() => undefined);
  if (!info?.isDirectory()) {
    throw new DeployKitError(
      "E_INVALID_INPUT",
      `The app directory ${path} does not exist or is not a directory.`,
      {
        hint: "Pass the folder that holds the app's source (and its Procfile).",
        details: { appDir: path },
      },
    );
  }
}

/**
 * Buildpacks to run: the option (relative paths from the current directory), else
 * `buildpackList`, else the app's `.buildpacks` (relative paths from the app).
 */
async function buildpackSpecs(options: BuildOptions, appDir: string): Promise<BuildpackSpec[]> {
  if (options.buildpacks && options.buildpacks.length > 0) {
    return options.buildpacks.map((text) => parseBuildpackSpec(text));
  }
  if (options.buildpackList) {
    const file = resolve(appDir, options.buildpackList);
    const list = await readBuildpacksFile(file);
    if (!list) {
      throw new DeployKitError("E_INVALID_INPUT", `The buildpack list ${file} does not exist.`, {
        hint: "Point --buildpack-list at a file with one buildpack URL a line.",
        details: { file },
      });
    }
    return list.map((text) => parseBuildpackSpec(text, appDir));
  }
  return ((await readBuildpacksFile(buildpacksFileOf(appDir))) ?? []).map((text) =>
    parseBuildpackSpec(text, appDir),
  );
}

/**
 * The build's secrets: `env` values that {@link secretValues} calls secret (the declared
 * `secrets` names and the default name pattern), plus `buildpackVendorUrl` when it carries credentials.
 */
function buildSecrets(options: Partial<BuildOptions>): Record<string, string> {
  const vendorUrl = options.buildpackVendorUrl;
  return secretValues(
    { ...(vendorUrl === undefined ? {} : { BUILDPACK_VENDOR_URL: vendorUrl }), ...options.env },
    { names: options.secrets ?? [] },
  );
}

/** The error with every secret masked: message, hint and details (the unredacted cause is dropped). */
function redactError(error: unknown, redact: Redactor): unknown {
  if (!(error instanceof Error)) return error;
  const isOurs = error instanceof DeployKitError;
  const details = isOurs ? error.details : {};
  const clean =
    redact(error.message) === error.message &&
    redact(JSON.stringify(details)) === JSON.stringify(details) &&
    (!isOurs || error.hint === undefined || redact(error.hint) === error.hint);
  if (clean) return error;
  return new DeployKitError(isOurs ? error.code : "E_COMMAND_FAILED", redact(error.message), {
    ...(isOurs && error.hint ? { hint: redact(error.hint) } : {}),
    details: redactDeep(details, redact) as Record<string, unknown>,
  });
}

/**
 * Builds an app package: reads `.pkgr.yml` (merged under the given options), runs the
 * buildpacks when there are any (`buildpacks`, `buildpackList` or the app's `.buildpacks`),
 * then packs the tree reproducibly and returns the artifact with its validated manifest.
 * Bad input (name, version, format, buildpack list) fails before anything is written.
 *
 * @example
 * ```ts
 * const pkg = await buildPackage({ appDir: "./app", name: "hello", version: "1.0.0", outDir: "dist" })
 * await publish(pkg, { store: createFsStore({ dir: "store" }) })
 * ```
 * @throws `DeployKitError` `E_INVALID_INPUT`, `E_INVALID_NAME`, `E_INVALID_VERSION`,
 * `E_UNSUPPORTED_FORMAT`, `E_BUILDPACK_FETCH`, `E_BUILDPACK_DETECT`, `E_BUILDPACK_COMPILE`, `E_ABORTED`.
 * Messages, details and events never contain a build secret (see `secretValues` for which
 * `env` values are secrets); plain settings are shown as given.
 */
export async function buildPackage(input: BuildOptions): Promise<BuiltPackage> {
  let redact = createRedactor(buildSecrets(input));
  try {
    const appDir = resolve(input.appDir);
    await assertDirectory(appDir);
    const options = liftBuildpackVars(
      input.readPkgrYml === false ? input : mergePkgrOptions(await readPkgrYml(appDir), input),
    );
    const secrets = buildSecrets(options);
    redact = createRedactor(secrets);
    return await build({ ...options, appDir }, secrets, redact);
  } catch (error) {
    throw redactError(error, redact);
  }
}

async function build(
  options: BuildOptions,
  secrets: Record<string, string>,
  redact: Redactor,
): Promise<BuiltPackage> {
  const { appDir, signal } = options;
  const onEvent = redactingSink(options.onEvent, redact);
  const name = options.name ?? basename(appDir);
  assertAppName(name);
  const upstream = options.version ?? (await defaultVersion(appDir));
  const version = options.iteration ? `${upstream}-${options.iteration}` : upstream;
  assertVersion(version);
  const format = options.format ?? "tgz";
  if (format === "tgz") assertTgzVersion(version);
  const writer = artifactWriter(format);
  const specs = await buildpackSpecs(options, appDir);
  const outDir = resolve(options.outDir ?? process.cwd());
  const rules = withoutBuildOutput(
    await loadIgnoreRules(appDir),
    relative(appDir, outDir).split(sep).join("/"),
    name,
  );
  await warnAboutDotenvFiles(appDir, rules, onEvent);
  const compiles =
    specs.length > 0 || !!options.beforePrecompile?.length || !!options.afterPrecompile?.length;
  throwIfAborted(signal);
  const workDir = compiles ? await mkdtemp(resolve(tmpdir(), "deploykit-build-")) : undefined;
  try {
    const compiled = workDir
      ? await compileApp({
          appDir,
          rules,
          workDir,
          name,
          specs,
          env: options.env ?? {},
          stack: options.stack ?? "",
          buildpackVendorUrl: options.buildpackVendorUrl,
          compileCacheDir: resolve(options.compileCacheDir ?? defaultCompileCacheDir(name)),
          buildpackCacheDir: resolve(options.buildpackCacheDir ?? defaultBuildpackCacheDir()),
          refreshBuildpacks: options.refreshBuildpacks ?? true,
          before: options.beforePrecompile,
          after: options.afterPrecompile,
          redact,
          onEvent,
          signal,
        })
      : undefined;
    const root = compiled?.buildDir ?? appDir;
    const procfile = await readProcfile(root);
    const processes = { ...compiled?.defaultProcessTypes, ...procfile };
    const services = serviceTypes(procfile, compiled?.defaultProcessTypes ?? {});
    await mkdir(outDir, { recursive: true });
    const scanner = createSecretScanner(secrets);
    const artifact = await step(onEvent, "pack", `Packing ${name} ${version} (${format})`, () =>
      writer({
        root,
        rules: compiled ? gitOnlyRules : rules,
        mtime: reproducibleMtime(options.mtime),
        outDir,
        name,
        version,
        processes,
        services,
        metadata: options,
        onBytes: (bytes) => onEvent?.({ type: "progress", step: "pack", bytes }),
        onContent: (chunk) => scanner.scan(chunk),
        onWarning: (message) => onEvent?.({ type: "warning", step: "pack", message }),
        signal,
      }),
    );
    const leaked = scanner.found();
    if (leaked.length > 0) {
      onEvent?.({
        type: "warning",
        step: "pack",
        message: `The package contains the value of ${leaked.join(", ")}: a buildpack or hook wrote it into the app. deploykit never does; remove it from the build output if it is a secret.`,
      });
    }
    const commit = await sourceCommit(appDir);
    const manifest = parseManifest(
      {
        schemaVersion: 1,
        app: name,
        version,
        format,
        artifact: { file: basename(artifact.path), size: artifact.size, sha256: artifact.sha256 },
        createdAt: new Date().toISOString(),
        build: {
          buildpacks: (compiled?.buildpacks ?? []).map((b) =>
            b.commit ? { url: b.url, commit: b.commit } : { url: b.url },
          ),
          ...(compiled && specs.length > 0 ? { stack: options.stack ?? "" } : {}),
          ...(commit ? { sourceCommit: commit } : {}),
        },
        processes,
      },
      artifact.path,
    );
    return { path: artifact.path, manifest };
  } finally {
    if (workDir) await rm(workDir, { recursive: true, force: true });
  }
}
