import { fileURLToPath } from "node:url";
import { PARAM_TYPES, type ParamName, type SavedQuery } from "@app/core/queries/header";
import { loadQueryDir } from "@app/lake/query-files";
import { InputError } from "./errors.ts";
import { closest, parseDay } from "./values.ts";

/** The repository's `queries/` folder, next to the packages (the same depth from `src/` and from `dist/`). */
export const QUERIES_DIR = fileURLToPath(new URL("../../../queries/", import.meta.url));

/** Reads and validates every saved query under `dir` (default: the repository's `queries/`). */
export function readSavedQueries(dir = QUERIES_DIR): Promise<SavedQuery[]> {
  return loadQueryDir(dir);
}

/** A `--param` value checked against its declared type; dates may be given as `today`, `yesterday` or `-Nd`. */
function paramValue(query: SavedQuery, name: ParamName, raw: string, now: Date): string {
  switch (PARAM_TYPES[name]) {
    case "date":
      return parseDay(`${query.id} --param ${name}`, raw, now);
  }
}

/**
 * Finds a saved query by id (`cloudtrail/root-account-usage`) and orders `--param` values as its `?` need them. Every
 * value is checked by its declared type, and `to` may not be before `from`: a bad value is an error, never an empty
 * result.
 */
export async function resolveSavedQuery(
  id: string,
  params: readonly [string, string][],
  now: Date,
  dir = QUERIES_DIR,
): Promise<{ query: SavedQuery; sql: string; values: string[] }> {
  const queries = await readSavedQueries(dir);
  const wanted = id.replace(/\.sql$/, "");
  const q = queries.find((x) => x.id === wanted || x.name.toLowerCase() === id.toLowerCase());
  if (!q) {
    const near = closest(
      wanted,
      queries.map((x) => x.id),
    );
    throw new InputError(
      `unknown saved query "${id}"; ${near ? `did you mean ${near}? ` : ""}(\`loglake queries\` lists all ${queries.length})`,
    );
  }
  const takes = [...new Set(q.params)];
  const given = new Map<ParamName, string>();
  for (const [name, raw] of params) {
    if (!(takes as string[]).includes(name)) {
      const near = closest(name, takes);
      throw new InputError(
        `${q.id} has no parameter "${name}"${near ? `; did you mean ${near}?` : ""} (it takes: ${takes.join(", ") || "none"})`,
      );
    }
    given.set(name as ParamName, paramValue(q, name as ParamName, raw, now));
  }
  for (const name of takes)
    if (!given.has(name)) throw new InputError(`${q.id} needs --param ${name}=<value> (it takes: ${takes.join(", ")})`);
  const from = given.get("from");
  const to = given.get("to");
  if (from !== undefined && to !== undefined && to < from)
    throw new InputError(`${q.id}: --param to=${to} is before from=${from}`);
  return { query: q, sql: q.sql, values: q.params.map((name) => given.get(name) as string) };
}
