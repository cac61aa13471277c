import { UBUNTU_1204 } from "./ubuntu-1204";

const KEYWORDS = new Set([
  "if",
  "then",
  "else",
  "elif",
  "fi",
  "do",
  "done",
  "while",
  "until",
  "!",
  "exec",
  "trap",
]);
const BASHISMS: [RegExp, string][] = [
  [/\[\[/, "[[ (bash)"],
  [/\$\{[^}]*(,,|\^\^|\/\/)/, "${var,,} / ${var^^} / ${var//} (bash)"],
  [/<<</, "here-string <<< (bash)"],
  [/&>/, "&> (bash)"],
  [/\bfunction\s/, "function keyword (bash)"],
  [/\$'/, "$'...' quoting (bash)"],
];

function flagsOf(command: string, word: string): string[] {
  if (word.startsWith("--")) return [word.split("=")[0] as string];
  const body = word.slice(1);
  // Multi-letter single-dash operands: test's -eq, kill's -TERM.
  if (command === "[" || command === "test" || command === "kill") return [body];
  return [...body];
}

/**
 * Lists what in a POSIX sh script is outside Ubuntu 12.04 ({@link UBUNTU_1204}): commands not
 * listed, flags not listed for their command, commands held in variables, and bashisms.
 * A small scanner for the catalogue's disciplined style (one command per line or after
 * `;`, `&&`, `||`, `|`, `$(`, `{`), not a full shell parser.
 */
export function lintRemoteScript(script: string): string[] {
  const problems: string[] = [];
  for (const [pattern, what] of BASHISMS) if (pattern.test(script)) problems.push(what);
  let text = script
    .split("\n")
    .filter((line) => !line.trim().startsWith("#"))
    .join("\n")
    .replace(/['"]/g, "");
  // Arithmetic expansions ($((n + 1)), POSIX) are values, not commands.
  text = text.replace(/\$\(\([^()]*\)\)/g, "ARITHMETIC");
  // Command substitutions, innermost first: checked as scripts of their own, then one word.
  for (let inner = /\$\(([^()]*)\)/.exec(text); inner; inner = /\$\(([^()]*)\)/.exec(text)) {
    problems.push(...lintRemoteScript(inner[1] as string));
    text = text.replace(inner[0], "SUBSTITUTED");
  }
  text = text.replace(/\d*[<>]+&?\s*[^\s;|&)]+/g, " ").replace(/&&|\|\||[;|(){}`\n]/g, " ; ");
  for (const segment of text.split(" ; ")) {
    const words = segment.trim().split(/\s+/).filter(Boolean);
    while (
      words.length > 0 &&
      (KEYWORDS.has(words[0] as string) || /^[A-Za-z_]\w*=/.test(words[0] as string))
    ) {
      if (words[0] === "trap" && words[1] === "-") words.length = 0;
      words.shift();
    }
    const [command, ...args] = words;
    if (command === undefined || command === "for" || command === "in" || command === "]") continue;
    if (command.startsWith("$")) {
      problems.push(`a command held in a variable (${command}) cannot be checked`);
      continue;
    }
    const allowed = UBUNTU_1204[command];
    if (!allowed) {
      problems.push(`command "${command}" is not in the Ubuntu 12.04 list`);
      continue;
    }
    for (const word of args) {
      if (word === "--") break;
      if (!word.startsWith("-") || word === "-" || (/^-\d+$/.test(word) && command !== "kill")) continue;
      for (const flag of flagsOf(command, word)) {
        if (!allowed.includes(flag))
          problems.push(`${command} ${word}: flag "${flag}" is not in Ubuntu 12.04's ${command}`);
      }
    }
  }
  return problems;
}
