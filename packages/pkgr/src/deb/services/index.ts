import type { InitSystem } from "../targets";
import { systemdIntegration } from "./systemd";
import { sysvIntegration } from "./sysv";
import type { InitIntegration, ServiceContext } from "./types";
import { upstartIntegration } from "./upstart";

/** The service files and maintainer-script fragments of `init` for every process of the app. */
export function initIntegration(init: InitSystem, ctx: ServiceContext): InitIntegration {
  if (ctx.processes.length === 0) return { files: [], postinst: "", prerm: "", postrm: "" };
  if (init === "upstart") return upstartIntegration(ctx);
  if (init === "sysv") return sysvIntegration(ctx);
  return systemdIntegration(ctx);
}
