/** How this run talks to people: set once from the global flags and the environment, before a command runs. */
export interface Ui {
  /** `-q/--quiet`: results and errors only; no progress, notes or warnings. */
  quiet: boolean;
  /** `-v/--verbose` or `LOGLAKE_DEBUG=1`: stack traces and library warnings too. */
  verbose: boolean;
  /** `--no-color` was given. */
  noColor: boolean;
}

export const ui: Ui = { quiet: false, verbose: false, noColor: false };

/** `LOGLAKE_DEBUG` set to anything but empty, `0` or `false`. */
export function debugFromEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  const v = env.LOGLAKE_DEBUG?.trim().toLowerCase();
  return v !== undefined && v !== "" && v !== "0" && v !== "false";
}

/**
 * Whether to colour what goes to `stream`: only on a terminal, never with `--no-color`, `NO_COLOR` (any value,
 * https://no-color.org) or `TERM=dumb`; `FORCE_COLOR` (not `0`) turns it on anywhere.
 */
export function colorFor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (ui.noColor) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== "0") return true;
  return stream.isTTY === true && env.TERM !== "dumb";
}

const CODES = {
  bold: [1, 22],
  dim: [2, 22],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  blue: [34, 39],
} as const;
export type Style = keyof typeof CODES;

/** `text` in a style when `on`, else unchanged. */
export function paint(text: string, style: Style | undefined, on: boolean): string {
  if (!on || !style || text === "") return text;
  const [open, close] = CODES[style];
  return `\u001b[${open}m${text}\u001b[${close}m`;
}

/** A note for people on stderr (`loglake: note: …`), left out with `--quiet`. */
export function note(text: string): void {
  if (!ui.quiet) process.stderr.write(`loglake: note: ${text}\n`);
}
