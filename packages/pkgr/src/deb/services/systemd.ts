import { inlineFile } from "../entries";
import { type InitIntegration, type ServiceContext, serviceName } from "./types";

function unit(ctx: ServiceContext, process: string): string {
  return `[Unit]
Description=${ctx.name} ${process} process
Documentation=man:${ctx.name}(1)
After=network.target

[Service]
Type=simple
User=${ctx.user}
Group=${ctx.group}
WorkingDirectory=${ctx.home}
ExecStart=/usr/bin/${ctx.name} run ${process}
Restart=always
RestartSec=2
KillMode=mixed
TimeoutStopSec=30
SyslogIdentifier=${serviceName(ctx, process)}

[Install]
WantedBy=multi-user.target
`;
}

/**
 * One systemd unit per process in `/lib/systemd/system`, managed the way debhelper's
 * dh_installsystemd does it (deb-systemd-helper / deb-systemd-invoke, from init-system-helpers).
 */
export function systemdIntegration(ctx: ServiceContext): InitIntegration {
  const units = ctx.processes.map((p) => `${serviceName(ctx, p)}.service`);
  const each = (line: (unit: string) => string) => units.map(line).join("\n");
  return {
    files: ctx.processes.map((p) =>
      inlineFile(`lib/systemd/system/${serviceName(ctx, p)}.service`, unit(ctx, p)),
    ),
    postinst: `if command -v deb-systemd-helper >/dev/null 2>&1; then
${each(
  (u) => `  deb-systemd-helper unmask '${u}' >/dev/null || true
  # was-enabled is true on a first install, false when the admin disabled the unit.
  if deb-systemd-helper --quiet was-enabled '${u}'; then
    deb-systemd-helper enable '${u}' >/dev/null || true
  else
    deb-systemd-helper update-state '${u}' >/dev/null || true
  fi`,
)}
fi
if [ -d /run/systemd/system ]; then
  systemctl --system daemon-reload >/dev/null || true
${each(
  (u) => `  if [ -n "$UPGRADE" ] && [ -n "$RESTART" ]; then
    deb-systemd-invoke restart '${u}' >/dev/null || echo "warning: ${u} did not restart" >&2
  else
    deb-systemd-invoke start '${u}' >/dev/null || echo "warning: ${u} did not start" >&2
  fi`,
)}
fi`,
    prerm: `if [ -d /run/systemd/system ]; then
${each((u) => `  deb-systemd-invoke stop '${u}' >/dev/null || true`)}
fi`,
    postrm: `if [ -d /run/systemd/system ]; then
  systemctl --system daemon-reload >/dev/null || true
fi
if command -v deb-systemd-helper >/dev/null 2>&1; then
  if [ "$1" = remove ]; then
${each((u) => `    deb-systemd-helper mask '${u}' >/dev/null || true`)}
  fi
  if [ "$1" = purge ]; then
${each((u) => `    deb-systemd-helper purge '${u}' >/dev/null || true\n    deb-systemd-helper unmask '${u}' >/dev/null || true`)}
  fi
fi`,
  };
}
