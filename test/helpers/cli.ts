import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** The `loglake` executable, as `npx loglake` runs it. */
export const LOGLAKE_BIN = join(import.meta.dirname, "../../packages/cli/bin/loglake.js");

/** Runs `loglake` in a child process and returns its exit code and output, whatever the code. */
export async function loglake(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [LOGLAKE_BIN, ...args], { maxBuffer: 64 << 20 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}
