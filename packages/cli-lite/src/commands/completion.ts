import type { ArgsDef } from "citty";
import { globalArgs } from "../args";
import type { CommandSpec } from "../command";
import { UsageError } from "../usage";

const completionArgs = {
  shell: { type: "positional", description: "bash or zsh", required: true },
} as const;

const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
const flagsOf = (defs: ArgsDef) =>
  Object.entries({ ...globalArgs, ...defs } as ArgsDef)
    .filter(([, def]) => def.type !== "positional")
    .map(([name]) => `--${kebab(name)}`)
    .join(" ");

/** A bash completion function: commands first, then the command's flags. */
function bashScript(table: [string, string][]): string {
  const cases = table.map(([name, flags]) => `    ${name}) flags="${flags}" ;;`).join("\n");
  return `# deploykit bash completion: eval "$(deploykit completion bash)" in ~/.bashrc
_deploykit() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" command="\${COMP_WORDS[1]}" flags=""
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=($(compgen -W "${table.map(([n]) => n).join(" ")} help" -- "$cur"))
    return
  fi
  case "$command" in
${cases}
    help) COMPREPLY=($(compgen -W "${table.map(([n]) => n).join(" ")}" -- "$cur")); return ;;
  esac
  case "$cur" in
    -*) COMPREPLY=($(compgen -W "$flags" -- "$cur")) ;;
    *) COMPREPLY=($(compgen -f -- "$cur")) ;;
  esac
}
complete -o default -F _deploykit deploykit
`;
}

/** A zsh completion function (compdef), the same table as bash. */
function zshScript(table: [string, string][]): string {
  const cases = table.map(([name, flags]) => `    ${name}) flags=(${flags}) ;;`).join("\n");
  return `#compdef deploykit
# deploykit zsh completion: eval "$(deploykit completion zsh)" in ~/.zshrc (after compinit)
_deploykit() {
  local -a commands flags
  commands=(${table.map(([n]) => n).join(" ")} help)
  if (( CURRENT == 2 )); then
    compadd -a commands
    return
  fi
  case "\${words[2]}" in
${cases}
    help) compadd -a commands; return ;;
  esac
  if [[ "\${words[CURRENT]}" == -* ]]; then
    compadd -a flags
  else
    _files
  fi
}
compdef _deploykit deploykit
`;
}

/**
 * `deploykit completion bash|zsh`: prints a completion script generated from the command table
 * (commands, then each command's flags; file names elsewhere). Generated rather than taken
 * from a completion library: the table is already here, and the script needs nothing at runtime.
 */
// biome-ignore lint/suspicious/noExplicitAny: specs differ in their flags
export function completionCommand(specs: CommandSpec<any>[]): CommandSpec<typeof completionArgs> {
  return {
    name: "completion",
    description: 'Print a shell completion script: eval "$(deploykit completion bash)" (or zsh)',
    args: completionArgs,
    async run({ args }) {
      const table: [string, string][] = [
        ...specs.map((spec): [string, string] => [spec.name, flagsOf(spec.args)]),
        ["completion", flagsOf(completionArgs)],
      ];
      if (args.shell === "bash") return { value: bashScript(table), lines: [bashScript(table)] };
      if (args.shell === "zsh") return { value: zshScript(table), lines: [zshScript(table)] };
      throw new UsageError(`No completion for the shell "${args.shell}".`, "Use bash or zsh.");
    },
  };
}
