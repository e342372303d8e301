// Runs `loglake dev` exactly as the CLI registers it, in its own process, so tests can signal it.
import { registerDev } from "@app/cli/commands/dev";
import { Command } from "commander";

const program = new Command("loglake");
registerDev(program);
await program.parseAsync(process.argv);
