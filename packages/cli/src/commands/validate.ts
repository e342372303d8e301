import type { Command } from "commander";
import { CONFIG_FILE, importConfigModule } from "../config-file.ts";
import { EXIT } from "../errors.ts";

/** `loglake validate`: the config and deployment settings checked as `sst deploy` checks them, nothing started. */
export function registerValidate(program: Command): void {
  program
    .command("validate")
    .description(
      "Check the config and its deploy settings as `sst deploy` would, starting nothing: prints ok, or one line per problem and exits 2",
    )
    .option("--config <file>", "config module", CONFIG_FILE)
    .option(
      "--stage <name>",
      "stage to check for; sets LOGLAKE_ENV as the deployment does (default: LOGLAKE_ENV, else the config's own env)",
    )
    .action(async (opts: { config: string; stage?: string }) => {
      if (opts.stage !== undefined) process.env.LOGLAKE_ENV = opts.stage;
      const mod = await importConfigModule(opts.config);
      const own = (mod.default as { env?: unknown } | undefined)?.env;
      const stage = opts.stage ?? process.env.LOGLAKE_ENV ?? (typeof own === "string" ? own : "dev");
      // The config schema is built when its module loads: only here, not for every command's --help.
      const [{ ConfigValidationError, resolveSettings }, { functionConfigJson }] = await Promise.all([
        import("@app/core/config/index"),
        import("@app/core/infra/config"),
      ]);
      try {
        const { config, deploy } = resolveSettings(mod, stage);
        functionConfigJson(config);
        const count = (n: number, what: string) => `${n} ${what}${n === 1 ? "" : "s"}`;
        process.stdout.write(
          `ok: ${opts.config} for stage ${stage}: ${count(Object.keys(config.sources).length, "source")}, ${count(config.destinations.length, "destination")}, ${count(deploy.sourceBuckets.length, "source bucket")}\n`,
        );
      } catch (e) {
        if (!(e instanceof ConfigValidationError)) throw e;
        for (const i of e.issues) process.stderr.write(`loglake: ${i.field}: ${i.message}\n`);
        process.exitCode = EXIT.usage;
      }
    });
}
