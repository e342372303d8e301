import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";

/**
 * Vitest global setup: builds the CLI once before any test runs, so tests that spawn `loglake` run the compiled
 * JavaScript of the sources under test, as `npx loglake` does after `npm install`, never a stale build.
 */
export default async function setup(): Promise<void> {
  const script = join(import.meta.dirname, "../../packages/cli/scripts/build.mjs");
  await promisify(execFile)(process.execPath, [script, "--metafile"]);
}
