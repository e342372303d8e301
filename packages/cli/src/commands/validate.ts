import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { ConfigValidationError, resolveSettings } from "@app/core/config/index";
import { ConfigError } from "@app/core/errors";
import { functionConfigJson } from "@app/core/infra/config";
import type { Command } from "commander";
import { DEFAULT_CONFIG_FILE } from "../dev/config.ts";
import { EXIT } from "../errors.ts";

// A loader's message can span lines (esbuild lists the failing line under a header); keep the line that says what.
function loadProblem(e: unknown): string {
  const lines = String((e as Error | undefined)?.message ?? e)
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "");
  return lines.find((l) => /ERROR:/.test(l)) ?? lines[0] ?? "unknown error";
}

/** Imports a config module (`.ts`, `.js`, `.mjs` or `.json`) with every export, as a deployment reads it. */
async function loadConfigModule(path: string): Promise<Record<string, unknown>> {
  const abs = resolve(path);
  if (!existsSync(abs)) throw new ConfigError(`--config ${path}: no such file`);
  const mod = await import(
    pathToFileURL(abs).href,
    abs.endsWith(".json") ? { with: { type: "json" } } : undefined
  ).catch((e: unknown) => {
    throw new ConfigError(`${path}: cannot be loaded: ${loadProblem(e)}`);
  });
  // A JSON module also exports its top-level keys by name; only its default export is the config.
  if (abs.endsWith(".json")) return { default: (mod as { default: unknown }).default };
  return { ...(mod as Record<string, unknown>) };
}

/** `loglake validate`: the config and deployment settings checked as `sst deploy` checks them, nothing started. */
export function registerValidate(program: Command): void {
  program
    .command("validate")
    .description(
      "Check the config and its deploy settings as `sst deploy` would, starting nothing: prints ok, or one line per problem and exits 2",
    )
    .option("--config <file>", "config module", DEFAULT_CONFIG_FILE)
    .option(
      "--stage <name>",
      "stage to check for; sets LOGLAKE_ENV as the deployment does (default: LOGLAKE_ENV, else the config's own env)",
    )
    .action(async (opts: { config: string; stage?: string }) => {
      if (opts.stage !== undefined) process.env.LOGLAKE_ENV = opts.stage;
      const mod = await loadConfigModule(opts.config);
      const own = (mod.default as { env?: unknown } | undefined)?.env;
      const stage = opts.stage ?? process.env.LOGLAKE_ENV ?? (typeof own === "string" ? own : "dev");
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
