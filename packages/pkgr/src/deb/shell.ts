/** Indents every non-empty line of a shell fragment by `depth` levels of two spaces. */
export function indent(text: string, depth = 1): string {
  const pad = "  ".repeat(depth);
  return text
    .split("\n")
    .map((line) => (line ? pad + line : line))
    .join("\n");
}
