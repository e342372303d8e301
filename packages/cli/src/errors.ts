import { ConfigError } from "@app/core/errors";
import { MissingPathError } from "@app/lake/ingest";

/** Exit codes: 0 ok, 1 findings or critical health, 2 usage or input error. */
export const EXIT = { ok: 0, findings: 1, usage: 2 } as const;

/** Bad command-line input: a clear message and exit code 2. */
export class InputError extends Error {
  override name = "InputError";
}

/** A clear one-line message for errors the user can fix; undefined for bugs, which keep their stack. */
export function userMessage(e: unknown): string | undefined {
  if (e instanceof InputError || e instanceof MissingPathError || e instanceof ConfigError) return e.message;
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (code === "EACCES" || code === "EROFS" || code === "ENOTDIR" || code === "EEXIST" || code === "ENOENT") {
    return (e as Error).message;
  }
  // DuckDB reports SQL problems (bad query, bad parameter) as plain Errors whose message starts with the kind.
  const msg = (e as Error | undefined)?.message ?? "";
  if (/^(Parser|Binder|Catalog|Conversion|Invalid Input|Constraint) Error/.test(msg)) return msg.split("\n")[0];
  return undefined;
}
