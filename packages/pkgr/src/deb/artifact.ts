import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { DeployKitError } from "@deploykit/core";
import type { ArtifactWriter } from "../artifact-writer";
import type { MaintainerHooks } from "./options";
import type { DebTarget, InitSystem } from "./targets";
import { writeDeb } from "./writer";

const RUNNERS: Record<string, InitSystem> = { upstart: "upstart", sysv: "sysv", systemd: "systemd" };

/** pkgr's `--runner` (`upstart-1.5`, `sysv-lsb-3.1`, `systemd-default`) as an init system. */
export function initFromRunner(runner: string | undefined): InitSystem | undefined {
  if (runner === undefined) return undefined;
  const init = RUNNERS[runner.split("-")[0] ?? ""];
  if (!init) {
    throw new DeployKitError("E_INVALID_INPUT", `Unknown runner "${runner}".`, {
      hint: "Use upstart-1.5, sysv-lsb-3.1 or systemd-default (or upstart, sysv, systemd).",
      details: { runner },
    });
  }
  return init;
}

async function readHooks(
  appDir: string,
  paths: Record<keyof MaintainerHooks, string | undefined>,
): Promise<MaintainerHooks> {
  const hooks: MaintainerHooks = {};
  for (const [name, path] of Object.entries(paths) as [keyof MaintainerHooks, string | undefined][]) {
    if (path === undefined) continue;
    const file = resolve(appDir, path);
    hooks[name] = await readFile(file, "utf8").catch((cause: unknown) => {
      throw new DeployKitError("E_INVALID_INPUT", `Cannot read the ${name} script ${file}.`, {
        cause,
        hint: "Give a path relative to the app directory.",
        details: { hook: name, path: file },
      });
    });
  }
  return hooks;
}

/**
 * `buildPackage({ format: 'deb' })`'s writer: maps the build's facts and pkgr's metadata options
 * (maintainer, dependencies, category, runner, force-os, hooks, logrotate...) onto {@link writeDeb}.
 */
export const writeDebArtifact: ArtifactWriter = async (request) => {
  const { metadata: options } = request;
  const hooks = await readHooks(options.appDir, {
    beforeInstall: options.beforeInstall,
    afterInstall: options.afterInstall,
    beforeRemove: options.beforeRemove,
    afterRemove: options.afterRemove,
  });
  const deb = await writeDeb({
    appDir: request.root,
    exclude: (path, isDir) => request.rules.ignores(path, isDir),
    outDir: request.outDir,
    name: request.name,
    version: request.version,
    processes: request.processes,
    services: request.services,
    architecture: options.architecture,
    maintainer: options.maintainer,
    description: options.description,
    homepage: options.homepage,
    license: options.license,
    copyright: options.vendor,
    section: options.category,
    depends: options.dependencies,
    home: options.home,
    user: options.user,
    group: options.group,
    target: options.forceOs as DebTarget | undefined,
    init: initFromRunner(options.runner),
    compression: options.compression,
    restartOnUpgrade: options.restartOnUpgrade,
    hooks,
    logrotate: {
      frequency: options.logrotateFrequency as "daily" | "weekly" | "monthly" | undefined,
      backlog: options.logrotateBacklog,
    },
    onTarData: request.onContent,
    sourceDateEpoch: Math.floor(request.mtime.getTime() / 1000),
    onEvent: (event) => {
      if (event.type === "progress") request.onBytes(event.bytes);
      else if (event.type === "warning") request.onWarning?.(event.message);
    },
    signal: request.signal,
  });
  return { path: deb.path, size: deb.size, sha256: deb.sha256 };
};
