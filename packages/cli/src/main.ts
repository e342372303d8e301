import { Command, CommanderError } from "commander";
import { registerDemo } from "./commands/demo.ts";
import { registerDev } from "./commands/dev.ts";
import { registerIngest } from "./commands/ingest.ts";
import { registerQuery } from "./commands/query.ts";
import { registerReport } from "./commands/report.ts";
import { registerSchema } from "./commands/schema.ts";
import { registerStatus } from "./commands/status.ts";
import { registerValidate } from "./commands/validate.ts";
import { EXIT, userMessage } from "./errors.ts";

/** Builds the `loglake` program; every command registers itself. */
export function buildProgram(): Command {
  const program = new Command("loglake")
    .description(
      "Security-log lake: CloudFront, CloudTrail and app JSON logs into partitioned Parquet, queried with SQL",
    )
    .showHelpAfterError()
    .exitOverride();
  for (const register of [
    registerDemo,
    registerIngest,
    registerQuery,
    registerReport,
    registerStatus,
    registerSchema,
    registerDev,
    registerValidate,
  ])
    register(program);
  for (const cmd of program.commands) cmd.exitOverride().showHelpAfterError();
  return program;
}

/** Runs the CLI and returns the exit code: 0 ok, 1 findings, 2 usage or input error. */
export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv]);
    return typeof process.exitCode === "number" ? process.exitCode : EXIT.ok;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version end through here with exit code 0.
      return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    const message = userMessage(e);
    if (message === undefined) throw e;
    process.stderr.write(`loglake: ${message}\n`);
    return EXIT.usage;
  }
}
