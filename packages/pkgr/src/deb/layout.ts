import { type EventSink, shellQuote } from "@deploykit/core";
import { skippedMessage } from "../pack/walk";
import { readAppTree } from "./app-tree";
import { docFiles } from "./doc-files";
import { type DebEntry, inlineFile } from "./entries";
import { type MaintainerScripts, maintainerScripts } from "./maintainer-scripts";
import { initIntegration } from "./services/index";
import type { DebSpec } from "./spec";
import { renderWrapper } from "./wrapper";

/** Everything that goes into a package: the data tree and the maintainer scripts. */
export interface DebLayout {
  entries: DebEntry[];
  scripts: MaintainerScripts;
}

/** Directories under the home that postinst makes writable for the app user. */
const WRITABLE_DIRS = ["log", "tmp"];

function defaultsFile(spec: DebSpec): string {
  const lines = spec.env.map(([key, value]) => `${key}=${shellQuote(value)}`);
  return `# Environment of ${spec.name}, read by /usr/bin/${spec.name} before every process starts.
# Values set with "${spec.name} config:set KEY=VALUE" live in /etc/${spec.name}/conf.d/ and win.
APP_NAME=${shellQuote(spec.name)}
APP_HOME=${shellQuote(spec.home)}
APP_USER=${shellQuote(spec.user)}
APP_GROUP=${shellQuote(spec.group)}
${lines.join("\n")}
`;
}

function logrotateFile(spec: DebSpec, logDir: string): string {
  // logrotate >= 3.8 needs `su` for a directory the app user owns; 3.7.8 (Ubuntu 12.04) rejects it.
  const su = spec.target === "ubuntu-12.04" ? "" : `  su ${spec.user} ${spec.group}\n`;
  return `${logDir}/*.log {
  ${spec.logrotate.frequency}
  rotate ${spec.logrotate.backlog}
  missingok
  notifempty
  compress
  delaycompress
  copytruncate
${su}}
`;
}

/**
 * Lays the package out like pkgr: the app in its home, `/etc/default/<name>`, `/etc/logrotate.d/<name>`,
 * `/etc/<name>/conf.d/`, the `/usr/bin/<name>` wrapper, a service per process for the chosen
 * init system, docs, and the maintainer scripts. `/var/log/<name>` is made by postinst.
 */
export async function layoutPackage(spec: DebSpec, onEvent?: EventSink): Promise<DebLayout> {
  const logDir = `/var/log/${spec.name}`;
  const confDir = `/etc/${spec.name}/conf.d`;
  const service = {
    name: spec.name,
    home: spec.home,
    user: spec.user,
    group: spec.group,
    logDir,
    processes: spec.services,
  };
  const systemd = initIntegration("systemd", service);
  const own = initIntegration(spec.init, service);
  // An init script without a systemd unit of the same name is a lintian error: sysv packages carry both.
  const init =
    spec.init === "sysv"
      ? {
          files: [...systemd.files, ...own.files],
          postinst: `${systemd.postinst}\n${own.postinst}`,
          prerm: `${systemd.prerm}\n${own.prerm}`,
          postrm: `${systemd.postrm}\n${own.postrm}`,
        }
      : own;
  const app = await readAppTree(spec.appDir, spec.home.slice(1), spec.exclude, (path, kind) =>
    onEvent?.({ type: "warning", step: "deb:layout", message: skippedMessage(path, kind) }),
  );
  const entries: DebEntry[] = [
    { kind: "dir", path: spec.home.slice(1), mode: 0o755 },
    ...app,
    inlineFile(`etc/default/${spec.name}`, defaultsFile(spec)),
    inlineFile(`etc/logrotate.d/${spec.name}`, logrotateFile(spec, logDir)),
    { kind: "dir", path: confDir.slice(1), mode: 0o755 },
    inlineFile(
      `usr/bin/${spec.name}`,
      renderWrapper({
        ...service,
        confDir,
        defaultsFile: `/etc/default/${spec.name}`,
        init: spec.init,
        processes: spec.processes,
      }),
      0o755,
    ),
    ...init.files,
    ...docFiles({
      ...spec,
      processes: spec.services,
      upstart: spec.init === "upstart" && spec.services.length > 0,
    }),
  ];
  const scripts = maintainerScripts({
    ...service,
    confDir,
    writableDirs: WRITABLE_DIRS,
    restartOnUpgrade: spec.restartOnUpgrade,
    hooks: spec.hooks,
    init,
  });
  return { entries, scripts };
}
