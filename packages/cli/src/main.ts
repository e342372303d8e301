import { LOGLAKE_VERSION } from "@app/core/version";
import { Command, CommanderError } from "commander";
import { registerCompact } from "./commands/compact.ts";
import { registerCompletion } from "./commands/completion.ts";
import { registerDemo } from "./commands/demo.ts";
import { registerDev } from "./commands/dev.ts";
import { registerIngest } from "./commands/ingest.ts";
import { registerQueries } from "./commands/queries.ts";
import { registerQuery } from "./commands/query.ts";
import { registerRedrive } from "./commands/redrive.ts";
import { registerReplay } from "./commands/replay.ts";
import { registerReport } from "./commands/report.ts";
import { registerSchema } from "./commands/schema.ts";
import { registerSources } from "./commands/sources.ts";
import { registerStatus } from "./commands/status.ts";
import { registerValidate } from "./commands/validate.ts";
import { registerVerify } from "./commands/verify.ts";
import { EXIT, reportError } from "./errors.ts";
import { debugFromEnv, ui } from "./ui.ts";

const EPILOGUE = `
Environment: LOGLAKE_LAKE (--lake), LOGLAKE_ENDPOINT (--endpoint), LOGLAKE_CONFIG (config file, default
./loglake.config.ts, whose lake bucket is the default --lake), LOGLAKE_DEBUG=1 (--verbose), NO_COLOR.
Exit codes: 0 ok, 1 findings (status with a Critical stream, verify with a finding), 2 usage or input error, 3 unexpected error.`;

/** Builds the `loglake` program; every command registers itself. */
export function buildProgram(): Command {
  const program = new Command("loglake")
    .description(
      "Security-log lake: CloudFront, CloudTrail and app JSON logs into partitioned Parquet, queried with SQL",
    )
    .version(LOGLAKE_VERSION, "-V, --version", "print the loglake version")
    .option("-q, --quiet", "results and errors only: no progress line, notes or warnings")
    .option("-v, --verbose", "stack traces and library warnings too (also LOGLAKE_DEBUG=1)")
    .option("--no-color", "never colour the output (also NO_COLOR); colour is used on a terminal only")
    .addHelpText("after", EPILOGUE);
  for (const register of [
    registerDemo,
    registerIngest,
    registerQuery,
    registerQueries,
    registerReport,
    registerReplay,
    registerRedrive,
    registerStatus,
    registerCompact,
    registerSchema,
    registerSources,
    registerDev,
    registerValidate,
    registerVerify,
    registerCompletion,
  ])
    register(program);
  // Errors are printed by `main` as one line; Commander only throws them.
  const quietErrors = (cmd: Command) => {
    cmd.exitOverride().configureOutput({ outputError: () => {} });
    for (const sub of cmd.commands) quietErrors(sub);
  };
  quietErrors(program);
  program.hook("preAction", () => {
    const o = program.opts<{ quiet?: boolean; verbose?: boolean; color?: boolean }>();
    ui.quiet = o.quiet === true;
    ui.verbose = o.verbose === true || debugFromEnv();
    ui.noColor = o.color === false;
    // The AWS SDK warns on every run under Node 20 (eight lines on stderr); it is shown to those who ask for it.
    if (!ui.verbose) process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  });
  return program;
}

/** A Commander usage error as one line: `unknown option '--x' (did you mean --y?); see loglake ingest --help`. */
function usageLine(e: CommanderError, argv: readonly string[], program: Command): string {
  const text = e.message
    .replace(/^error: /, "")
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean)
    .join(" ");
  const names = new Set(program.commands.map((c) => c.name()));
  const sub = argv.slice(2).find((a) => names.has(a));
  return `${text} (see: loglake ${sub ? `${sub} ` : ""}--help)`;
}

/** The stack of an error and of each cause, for `--verbose`. */
function stackOf(e: unknown): string {
  const parts: string[] = [];
  let cur: unknown = e;
  for (let i = 0; cur !== undefined && cur !== null && i < 8; i++) {
    parts.push(i === 0 ? String((cur as Error).stack ?? cur) : `caused by: ${String((cur as Error).stack ?? cur)}`);
    cur = (cur as { cause?: unknown }).cause;
  }
  return `${parts.join("\n")}\n`;
}

/** Runs the CLI and returns the exit code: 0 ok, 1 findings, 2 usage or input error, 3 unexpected error. */
export async function main(argv: readonly string[]): Promise<number> {
  const verboseArg = argv.slice(2).some((a) => a === "--verbose" || /^-[a-zA-Z]*v[a-zA-Z]*$/.test(a));
  // Stacks of the compiled CLI point into src/ through its source maps; only people who asked see stacks.
  if (verboseArg || debugFromEnv()) process.setSourceMapsEnabled(true);
  // A reader that stopped reading (`| head`) ends the run quietly, with the shell's code for a process ended by
  // SIGPIPE: never 0 or 1, which would claim an answer the reader did not see.
  process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code !== "EPIPE") throw e;
    process.exit(EXIT.closedOutput);
  });
  const program = buildProgram();
  try {
    await program.parseAsync([...argv]);
    return typeof process.exitCode === "number" ? process.exitCode : EXIT.ok;
  } catch (e) {
    // Errors in parsing come before the preAction hook has read the flags.
    const verbose = ui.verbose || debugFromEnv() || verboseArg;
    if (e instanceof CommanderError) {
      // --help and --version end through here with exit code 0.
      if (e.exitCode === 0) return EXIT.ok;
      process.stderr.write(`loglake: ${usageLine(e, argv, program)}\n`);
      return EXIT.usage;
    }
    const report = reportError(e);
    for (const line of report.lines) process.stderr.write(`loglake: ${line}\n`);
    if (verbose) process.stderr.write(stackOf(e));
    return report.code;
  }
}
