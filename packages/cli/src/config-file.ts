import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { DetectionSettings } from "@app/core/detections/allowlist";
import type { RedactionSettings } from "@app/core/ingest/redaction";
import { InputError } from "./errors.ts";

/** The config file read from the working directory when neither `--config` nor `LOGLAKE_CONFIG` names one. */
export const CONFIG_FILE = "loglake.config.ts";

let typeScript: Promise<void> | undefined;

/**
 * TypeScript config modules need a loader when the CLI runs as compiled JavaScript: tsx is registered on first
 * need, so commands that read no config never pay for it. Both hooks, as the bin registers them: a `.ts` file
 * outside a `"type": "module"` package is loaded as CommonJS.
 */
function typeScriptLoader(): Promise<void> {
  // Run from the TypeScript sources, the bin has registered tsx already.
  if (import.meta.url.endsWith(".ts")) return Promise.resolve();
  typeScript ??= Promise.all([import("tsx/cjs/api"), import("tsx/esm/api")]).then(([cjs, esm]) => {
    cjs.register();
    esm.register();
  });
  return typeScript;
}

// A loader's message can span lines (esbuild lists the failing line under a header); keep the line that says what.
function loadProblem(e: unknown): string {
  const lines = String((e as Error | undefined)?.message ?? e)
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "");
  return lines.find((l) => /ERROR:/.test(l)) ?? lines[0] ?? "unknown error";
}

/** Imports a config module (`.ts`, `.mts`, `.js`, `.mjs` or `.json`) with every export; a broken file is one line. */
export async function importConfigModule(path: string): Promise<Record<string, unknown>> {
  const abs = resolve(path);
  if (!existsSync(abs)) throw new InputError(`--config ${path}: no such file`);
  if (/\.[cm]?ts$/.test(abs)) await typeScriptLoader();
  const json = abs.endsWith(".json");
  const url = pathToFileURL(abs).href;
  const mod = await (json ? import(url, { with: { type: "json" } }) : import(url)).catch((e: unknown) => {
    throw new InputError(`${path}: cannot be loaded: ${loadProblem(e)}`);
  });
  // A JSON module also exports its top-level keys by name; only its default export is the config.
  if (json) return { default: (mod as { default: unknown }).default };
  // A module compiled to CommonJS arrives as `{ default: exports }`, its own exports marked `__esModule`.
  const ns = mod as Record<string, unknown>;
  const inner = ns.default as Record<string, unknown> | undefined;
  if (Object.keys(ns).length === 1 && inner?.__esModule === true) return { ...inner };
  return { ...ns };
}

/** The config file that applies: `LOGLAKE_CONFIG`, else `./loglake.config.ts` when it exists. */
export function configFile(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.LOGLAKE_CONFIG) return env.LOGLAKE_CONFIG;
  return existsSync(CONFIG_FILE) ? CONFIG_FILE : undefined;
}

/** Defaults the config file gives common flags: the deployment's lake bucket (and prefix) and its region. */
export async function configDefaults(file: string): Promise<{ lake: string; region?: string }> {
  const mod = await importConfigModule(file);
  if (mod.default === null || typeof mod.default !== "object")
    throw new InputError(`${file}: the default export must be the config object (use defineConfig)`);
  const { resolveConfig } = await import("@app/core/config/index");
  const config = resolveConfig(mod.default as Parameters<typeof resolveConfig>[0]);
  const prefix = config.lakePrefix.replace(/\/+$/, "");
  return {
    lake: `s3://${config.buckets.lake}${prefix ? `/${prefix}` : ""}`,
    ...(config.region ? { region: config.region } : {}),
  };
}

/**
 * The config's `detections` settings (allow-lists and prefixes), which `loglake ingest` and `loglake report` write
 * into the lake's `detection_allowlist`; the defaults when no config file applies.
 */
export async function detectionSettings(env: NodeJS.ProcessEnv = process.env): Promise<DetectionSettings> {
  const file = configFile(env);
  const { DEFAULT_DETECTION_SETTINGS } = await import("@app/core/detections/allowlist");
  if (file === undefined) return DEFAULT_DETECTION_SETTINGS;
  const mod = await importConfigModule(file);
  if (mod.default === null || typeof mod.default !== "object")
    throw new InputError(`${file}: the default export must be the config object (use defineConfig)`);
  const { resolveConfig } = await import("@app/core/config/index");
  return resolveConfig(mod.default as Parameters<typeof resolveConfig>[0]).detections;
}

/** The config's `compaction` settings (settle window, size target, files-per-hour threshold); defaults without a config. */
export async function compactionConfig(
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ settleHours: number; targetFileMb: number; maxFilesPerHour: number }> {
  const file = configFile(env);
  if (file === undefined) {
    const { DEFAULT_COMPACTION } = await import("@app/core/compaction/plan");
    return {
      settleHours: DEFAULT_COMPACTION.settleHours,
      targetFileMb: DEFAULT_COMPACTION.targetFileBytes / 1024 ** 2,
      maxFilesPerHour: DEFAULT_COMPACTION.maxFilesPerHour,
    };
  }
  const mod = await importConfigModule(file);
  if (mod.default === null || typeof mod.default !== "object")
    throw new InputError(`${file}: the default export must be the config object (use defineConfig)`);
  const { resolveConfig } = await import("@app/core/config/index");
  return resolveConfig(mod.default as Parameters<typeof resolveConfig>[0]).compaction;
}

/** The config's `redaction` settings, which `loglake ingest` applies; the defaults (credentials masked) without one. */
export async function redactionSettings(env: NodeJS.ProcessEnv = process.env): Promise<RedactionSettings> {
  const file = configFile(env);
  const { resolveConfig } = await import("@app/core/config/index");
  if (file === undefined) return resolveConfig({ env: "local" }).redaction;
  const mod = await importConfigModule(file);
  if (mod.default === null || typeof mod.default !== "object")
    throw new InputError(`${file}: the default export must be the config object (use defineConfig)`);
  return resolveConfig(mod.default as Parameters<typeof resolveConfig>[0]).redaction;
}
