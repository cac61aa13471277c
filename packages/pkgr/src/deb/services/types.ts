import type { DebEntry } from "../entries";

/**
 * What one init system contributes to a package: the service files, and the shell fragments
 * the maintainer scripts run. Fragments see the maintainer script's `$1` / `$2` and the
 * variables `UPGRADE` (non-empty when configuring over an earlier version) and `RESTART`
 * (non-empty when services restart on upgrade).
 */
export interface InitIntegration {
  files: DebEntry[];
  /** `postinst configure`: register, enable, start (restart on upgrade when asked). */
  postinst: string;
  /** `prerm remove`: stop. */
  prerm: string;
  /** `postrm remove` / `purge`: unregister. Sees `$1`. */
  postrm: string;
}

/** The facts a service file needs about the app. */
export interface ServiceContext {
  name: string;
  home: string;
  user: string;
  group: string;
  logDir: string;
  /** Process types, sorted. */
  processes: string[];
}

/** The service (unit / job / init script) name of one process: `<app>-<process>`. */
export const serviceName = (ctx: ServiceContext, process: string) => `${ctx.name}-${process}`;
