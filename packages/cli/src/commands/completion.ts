import type { Command } from "commander";
import { oneOf } from "../values.ts";

/** A command's words for completion: its subcommands, then its long and short options. */
function words(cmd: Command): { commands: string[]; options: string[] } {
  const commands = cmd.commands.map((c) => c.name());
  const options = [...cmd.options, ...(cmd.parent ? cmd.parent.options : [])].flatMap((o) =>
    [o.long, o.short].filter((f): f is string => f !== undefined),
  );
  return { commands, options: [...new Set([...options, "--help"])].sort() };
}

/** Options that take a file or directory, completed with paths. */
const PATH_OPTIONS = ["--lake", "--out", "--config", "--queries", "--data-dir"];

/** Per `command:--option`, the values the option lists (`argChoices`, shown in help as its choices). */
function optionValues(program: Command): Record<string, string[]> {
  const values: Record<string, string[]> = {};
  for (const cmd of program.commands)
    for (const o of cmd.options) if (o.long && o.argChoices) values[`${cmd.name()}:${o.long}`] = o.argChoices;
  return values;
}

const shellWords = (list: readonly string[]) => list.join(" ");

/** A bash completion script for the program: `source <(loglake completion bash)`. */
export function bashCompletion(program: Command): string {
  const top = words(program);
  const cases = program.commands.map((c) => `    ${c.name()}) opts="${shellWords(words(c).options)}" ;;`).join("\n");
  const values = Object.entries(optionValues(program))
    .map(([o, v]) => `    ${o}) COMPREPLY=($(compgen -W "${shellWords(v)}" -- "$cur")); return ;;`)
    .join("\n");
  return `# bash completion for loglake: source <(loglake completion bash)
_loglake() {
  local cur prev cmd opts i
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  cmd=""
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "\${COMP_WORDS[i]}" in -*) ;; *) cmd="\${COMP_WORDS[i]}"; break ;; esac
  done
  case "$cmd:$prev" in
${values}
    *:${PATH_OPTIONS.join("|*:")}) COMPREPLY=($(compgen -f -- "$cur")); return ;;
  esac
  if [[ -z "$cmd" ]]; then
    if [[ "$cur" == -* ]]; then opts="${shellWords(top.options)}"; else opts="${shellWords(top.commands)}"; fi
    COMPREPLY=($(compgen -W "$opts" -- "$cur"))
    return
  fi
  case "$cmd" in
${cases}
    *) opts="--help" ;;
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$opts" -- "$cur"))
  else
    COMPREPLY=($(compgen -f -- "$cur"))
  fi
}
complete -o filenames -F _loglake loglake
`;
}

const zshQuote = (s: string) =>
  s.replaceAll("'", "'\\''").replaceAll("[", "\\[").replaceAll("]", "\\]").replaceAll(":", "\\:");

/** A zsh completion script for the program: `source <(loglake completion zsh)`, or save it as `_loglake` in $fpath. */
export function zshCompletion(program: Command): string {
  const commands = program.commands.map(
    (c) => `    '${c.name()}:${zshQuote(c.description().split(/[.;:(]/)[0] ?? "")}'`,
  );
  const spec = (cmd: Command) =>
    [...cmd.options, ...program.options]
      .filter((o) => o.long)
      .map((o) => {
        const long = o.long as string;
        const choices = o.argChoices ?? [];
        const arg =
          o.required || o.optional
            ? PATH_OPTIONS.includes(long)
              ? ":path:_files"
              : choices.length
                ? `:value:(${choices.join(" ")})`
                : ":value:"
            : "";
        return `      '${long}[${zshQuote(o.description)}]${arg}'`;
      })
      .join(" \\\n");
  const cases = program.commands
    .map((c) => `    ${c.name()})\n      _arguments \\\n${spec(c)} \\\n      '*:file:_files' ;;`)
    .join("\n");
  return `#compdef loglake
# zsh completion for loglake: source <(loglake completion zsh), or save as _loglake in a directory of $fpath
_loglake() {
  local -a commands
  commands=(
${commands.join("\n")}
  )
  if (( CURRENT == 2 )); then
    _describe 'command' commands
    return
  fi
  case "\${words[2]}" in
${cases}
  esac
}
if [[ "\${zsh_eval_context[-1]}" == loadautofunc ]]; then _loglake "$@"; else compdef _loglake loglake; fi
`;
}

/** `loglake completion bash|zsh`: the completion script for a shell, generated from the commands themselves. */
export function registerCompletion(program: Command): void {
  program
    .command("completion")
    .description("Print the shell completion script: source <(loglake completion bash), or zsh")
    .argument("<shell>", "bash or zsh")
    .action((shell: string) => {
      const which = oneOf("completion", shell, ["bash", "zsh"], "shell");
      process.stdout.write(which === "bash" ? bashCompletion(program) : zshCompletion(program));
    });
}
