/** The fields of a binary package's `control` file, in the order dpkg-deb prints them. */
export interface ControlFields {
  package: string;
  version: string;
  architecture: string;
  maintainer: string;
  installedSize: number;
  depends: readonly string[];
  section: string;
  homepage?: string;
  /** The one-line synopsis. */
  synopsis: string;
  /** The extended description: paragraphs separated by blank lines. */
  extended: string;
}

/** Wraps text to `width` columns at spaces (words longer than the width stay whole). */
export function wrap(text: string, width = 72): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines;
}

/** The extended description as control-file continuation lines (` text`, blank lines as ` .`). */
export function extendedDescriptionLines(extended: string): string[] {
  const paragraphs = extended
    .trim()
    .split(/\n\s*\n/)
    .map((p) => wrap(p));
  return paragraphs.flatMap((lines, i) => [...(i > 0 ? ["."] : []), ...lines]).map((l) => ` ${l}`);
}

/** Renders the `control` file text (ends with a newline). */
export function renderControl(fields: ControlFields): string {
  const lines = [
    `Package: ${fields.package}`,
    `Version: ${fields.version}`,
    `Architecture: ${fields.architecture}`,
    `Maintainer: ${fields.maintainer}`,
    `Installed-Size: ${fields.installedSize}`,
    ...(fields.depends.length > 0 ? [`Depends: ${fields.depends.join(", ")}`] : []),
    `Section: ${fields.section}`,
    "Priority: optional",
    ...(fields.homepage ? [`Homepage: ${fields.homepage}`] : []),
    `Description: ${fields.synopsis}`,
    ...extendedDescriptionLines(fields.extended),
  ];
  return `${lines.join("\n")}\n`;
}
