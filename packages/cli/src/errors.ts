/** Exit codes: 0 ok, 1 findings or critical health, 2 usage or input error, 3 unexpected error (a bug). */
export const EXIT = { ok: 0, findings: 1, usage: 2, internal: 3, closedOutput: 141 } as const;

/** Bad command-line input (a flag, argument or value): one line on stderr and exit code 2. */
export class InputError extends Error {
  override name = "InputError";
}

/** What to tell the user about an error: one line, the exit code, and whether it is a bug. */
export interface ErrorReport {
  lines: string[];
  code: number;
}

// Classes from packages the CLI loads lazily are recognised by name, so that classifying an error never loads them.
const INPUT_ERRORS = new Set(["InputError", "MissingPathError", "RefusedSqlError", "ConfigError", "ParseError"]);

// DuckDB reports problems as plain Errors whose message names the kind; all of them but Internal are about the SQL
// or the data it read.
const DUCKDB_KIND =
  /(?:^|: )((?:Parser|Binder|Catalog|Conversion|Invalid Input|Constraint|Permission|Out of Range|Not implemented|Dependency|IO|Serialization|Syntax|Type|Interrupt|Sequence|Transaction|Out of Memory|Invalid Configuration|Invalid type|Missing Extension|HTTP|Parameter Not Resolved|Parameter Not Allowed) Error: .*)$/m;

const NETWORK_CODES = new Set([
  "ENOTFOUND",
  "EAI_AGAIN",
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EPIPE",
  "CERT_HAS_EXPIRED",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
]);
const FILE_CODES = new Set(["EACCES", "EROFS", "ENOTDIR", "EEXIST", "ENOENT", "EISDIR", "ENOSPC", "EPERM", "EMFILE"]);

interface ErrorLike {
  name?: string;
  message?: string;
  code?: string;
  hostname?: string;
  address?: string;
  port?: number;
  cause?: unknown;
  errors?: unknown[];
  issues?: { field: string; message: string }[];
  $metadata?: { httpStatusCode?: number };
}

/** The error and its causes, outermost first (AggregateErrors contribute their first error). */
function chain(e: unknown): ErrorLike[] {
  const out: ErrorLike[] = [];
  let cur: unknown = e;
  while (cur !== null && typeof cur === "object" && out.length < 8) {
    const err = cur as ErrorLike;
    out.push(err);
    cur = err.cause ?? err.errors?.[0];
  }
  return out;
}

function firstLine(text: string): string {
  return (
    text
      .split("\n")
      .map((l) => l.trim())
      .find((l) => l !== "") ?? ""
  );
}

/**
 * Classifies an error for the one line the CLI prints: input errors (bad flags, config, SQL, files, the network or
 * AWS credentials) exit 2; anything else is a bug and exits 3. The message never spans lines.
 */
export function reportError(e: unknown): ErrorReport {
  const errors = chain(e);
  const top = errors[0] ?? { message: String(e) };
  const usage = (line: string): ErrorReport => ({ lines: [line], code: EXIT.usage });

  const validation = errors.find((x) => Array.isArray(x.issues) && x.issues.length > 0);
  if (validation?.issues) return { lines: validation.issues.map((i) => `${i.field}: ${i.message}`), code: EXIT.usage };
  if (top.name && INPUT_ERRORS.has(top.name)) return usage(firstLine(top.message ?? ""));

  for (const x of errors) {
    if (x.name === "CredentialsProviderError" || /Could not load credentials/i.test(x.message ?? ""))
      return usage(
        "no AWS credentials found: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (local emulators: give --endpoint)",
      );
    if (x.code && NETWORK_CODES.has(x.code)) {
      const where = x.hostname ?? (x.address ? `${x.address}${x.port ? `:${x.port}` : ""}` : undefined);
      return usage(
        `cannot reach ${where ?? "the server"}: ${x.code}${x.code === "ENOTFOUND" ? " (unknown host)" : ""}`,
      );
    }
    if (x.name === "TimeoutError") return usage(`request timed out: ${firstLine(x.message ?? "")}`);
    if (x.$metadata && x.name) {
      const status = x.$metadata.httpStatusCode ? ` (HTTP ${x.$metadata.httpStatusCode})` : "";
      return usage(`AWS ${x.name}${status}: ${firstLine(x.message ?? "") || "no message"}`);
    }
  }
  for (const x of errors) {
    const sql = DUCKDB_KIND.exec(x.message ?? "");
    if (sql) {
      // What the SQL was run for (`query cloudtrail/x failed on duckdb`), from the outermost message; DuckDB's own
      // "Failed to extract statements" adds nothing.
      const outer = firstLine(top.message ?? "");
      const before =
        top === x ? outer.slice(0, Math.max(0, outer.indexOf(sql[1] as string))) : `${outer.split(": ")[0]}: `;
      const context = /^Failed to extract statements/.test(before) ? "" : before;
      // DuckDB points at the position on a separate "LINE n: ..." line; keep it on the same line.
      const at = /^LINE \d+:.*$/m.exec(x.message ?? "")?.[0].trim();
      const confined = /^Permission Error: .*disabled by configuration/.test(sql[1] as string)
        ? "; SQL reads only the lake unless --unsafe is given"
        : "";
      return usage(`${context}SQL ${firstLine(sql[1] as string)}${at ? ` (${at})` : ""}${confined}`);
    }
  }
  for (const x of errors) if (x.code && FILE_CODES.has(x.code)) return usage(firstLine(x.message ?? x.code));
  return {
    lines: [`unexpected error: ${firstLine(top.message ?? String(e)) || top.name} (run with --verbose for the stack)`],
    code: EXIT.internal,
  };
}
