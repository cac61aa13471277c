import { gzipSync } from "node:zlib";
import { wrap } from "./control-file";
import { type DebEntry, inlineFile } from "./entries";

/** The facts the documentation files are generated from. */
export interface DocContext {
  name: string;
  debVersion: string;
  maintainer: string;
  synopsis: string;
  copyright: string;
  license: string;
  homepage?: string;
  changes: string;
  home: string;
  processes: string[];
  mtime: number;
  /** Upstart jobs are shipped (lintian calls them deprecated; they are Ubuntu 12.04/14.04's init). */
  upstart: boolean;
}

/** gzip -9 without a name or timestamp, as lintian wants for changelogs and man pages. */
const gzip9 = (text: string) => gzipSync(Buffer.from(text, "utf8"), { level: 9 });

const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** An RFC 5322 date in UTC, the form Debian changelogs use. */
function rfc5322(seconds: number): string {
  const d = new Date(seconds * 1000);
  const two = (n: number) => String(n).padStart(2, "0");
  return `${WEEKDAYS[d.getUTCDay()]}, ${two(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`;
}

function changelog(ctx: DocContext): string {
  const items = ctx.changes
    .split("\n")
    .map((line) => line.replace(/^\s*[*-]\s*/, "").trim())
    .filter(Boolean)
    .flatMap((item) => wrap(item, 74).map((line, i) => (i === 0 ? `  * ${line}` : `    ${line}`)));
  return `${ctx.name} (${ctx.debVersion}) unstable; urgency=low\n\n${items.join("\n")}\n\n -- ${ctx.maintainer}  ${rfc5322(ctx.mtime)}\n`;
}

function copyright(ctx: DocContext): string {
  return [
    `${ctx.name}${ctx.homepage ? ` (${ctx.homepage})` : ""}`,
    "",
    `Copyright: ${new Date(ctx.mtime * 1000).getUTCFullYear()} ${ctx.copyright}`,
    `License: ${ctx.license}`,
    "",
    "Packaged by deploykit. The app's own dependencies, vendored under",
    `${ctx.home}, keep their own licenses.`,
    "",
  ].join("\n");
}

const roff = (text: string) =>
  text
    .replace(/\\/g, "\\e")
    .replace(/-/g, "\\-")
    .replace(/^([.'])/, "\\&$1");

function manPage(ctx: DocContext): string {
  const date = new Date(ctx.mtime * 1000).toISOString().slice(0, 10);
  const processes = ctx.processes.length ? ctx.processes.join(", ") : "none";
  return `.TH ${roff(ctx.name.toUpperCase())} 1 "${date}" "${roff(ctx.debVersion)}" "${roff(ctx.name)}"
.SH NAME
${roff(ctx.name)} \\- ${roff(ctx.synopsis)}
.SH SYNOPSIS
.B ${roff(ctx.name)}
.BR run " \\fIprocess\\fR|\\fIcommand\\fR..."
.br
.B ${roff(ctx.name)}
.BR config " | " config:get " \\fIKEY\\fR | " config:set " \\fIKEY\\fR=\\fIVALUE\\fR... | " config:unset " \\fIKEY\\fR..."
.br
.B ${roff(ctx.name)}
.BR logs " [\\-f] [\\fIprocess\\fR]"
.SH DESCRIPTION
Runs the processes of the application installed in
.IR ${roff(ctx.home)} ,
as its system user, with the environment from
.I /etc/default/${roff(ctx.name)}
and
.IR /etc/${roff(ctx.name)}/conf.d/ ,
and manages that configuration.
Process types: ${roff(processes)}.
.SH FILES
.TP
.I /etc/default/${roff(ctx.name)}
Default environment (a shell file of KEY=VALUE lines).
.TP
.I /etc/${roff(ctx.name)}/conf.d/
One file per value set with config:set.
`;
}

/**
 * The changelog's name: `changelog.gz` for a native version, `changelog.Debian.gz` when the
 * version has a Debian revision (`1.0-20240101`), which is where dpkg and lintian look for it.
 */
export function changelogName(debVersion: string): string {
  return /-[^-]+$/.test(debVersion.replace(/^\d+:/, "")) ? "changelog.Debian.gz" : "changelog.gz";
}

/**
 * `/usr/share/doc/<name>/copyright` and the changelog, the wrapper's man page, and, for a home
 * under `/opt` (or upstart jobs), the lintian overrides that accept it.
 */
export function docFiles(ctx: DocContext): DebEntry[] {
  const files = [
    inlineFile(`usr/share/doc/${ctx.name}/copyright`, copyright(ctx)),
    inlineFile(`usr/share/doc/${ctx.name}/${changelogName(ctx.debVersion)}`, gzip9(changelog(ctx))),
    inlineFile(`usr/share/man/man1/${ctx.name}.1.gz`, gzip9(manPage(ctx))),
  ];
  const overrides = [
    ...(ctx.home.startsWith("/opt/")
      ? [
          `# The app is add-on software installed in ${ctx.home}, as the FHS allows for /opt.`,
          `${ctx.name}: dir-or-file-in-opt`,
        ]
      : []),
    ...(ctx.upstart
      ? [
          "# Built for Ubuntu 12.04/14.04, whose init is upstart.",
          `${ctx.name}: package-installs-deprecated-upstart-configuration`,
        ]
      : []),
  ];
  if (overrides.length > 0)
    files.push(inlineFile(`usr/share/lintian/overrides/${ctx.name}`, `${overrides.join("\n")}\n`));
  return files;
}
