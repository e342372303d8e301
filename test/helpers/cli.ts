import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** The `loglake` executable, as `npx loglake` runs it: the compiled CLI the Vitest global setup has just built. */
export const LOGLAKE_BIN = join(import.meta.dirname, "../../packages/cli/bin/loglake.js");

/** What a run of `loglake` did. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `loglake` in a child process with extra environment (`undefined` removes a variable) or another working
 * directory, whatever the exit code. `COLUMNS` is removed unless given, so tables are as wide as their content.
 */
export async function loglakeIn(
  options: { env?: Record<string, string | undefined>; cwd?: string },
  ...args: string[]
): Promise<CliRun> {
  const env: NodeJS.ProcessEnv = { ...process.env, COLUMNS: undefined, ...options.env };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
  try {
    const { stdout, stderr } = await run(process.execPath, [LOGLAKE_BIN, ...args], {
      maxBuffer: 64 << 20,
      env,
      ...(options.cwd ? { cwd: options.cwd } : {}),
    });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

/** Runs `loglake` in a child process and returns its exit code and output, whatever the code. */
export function loglake(...args: string[]): Promise<CliRun> {
  return loglakeIn({}, ...args);
}
