import { fileURLToPath } from "node:url";
import type { SavedQuery } from "@app/core/queries/header";
import { loadQueryDir } from "@app/lake/query-files";
import { InputError } from "./errors.ts";

/** The repository's `queries/` folder, next to the packages. */
export const QUERIES_DIR = fileURLToPath(new URL("../../../queries/", import.meta.url));

/** Reads and validates every saved query under `dir` (default: the repository's `queries/`). */
export function readSavedQueries(dir = QUERIES_DIR): Promise<SavedQuery[]> {
  return loadQueryDir(dir);
}

/** Finds a saved query by id (`cloudtrail/root-account-usage`) and orders `--param` values as its `?` need them. */
export async function resolveSavedQuery(
  id: string,
  params: readonly [string, string][],
): Promise<{ sql: string; values: string[] }> {
  const queries = await readSavedQueries();
  const q = queries.find((x) => x.id === id.replace(/\.sql$/, "") || x.name.toLowerCase() === id.toLowerCase());
  if (!q) throw new InputError(`unknown saved query "${id}" (see queries/; e.g. ${queries[0]?.id ?? "none"})`);
  const given = new Map(params);
  for (const name of given.keys()) {
    if (!q.params.includes(name as never))
      throw new InputError(`${q.id} has no parameter "${name}" (it takes: ${q.params.join(", ") || "none"})`);
  }
  const values = q.params.map((name) => {
    const v = given.get(name);
    if (v === undefined)
      throw new InputError(`${q.id} needs --param ${name}=<value> (it takes: ${q.params.join(", ")})`);
    return v;
  });
  return { sql: q.sql, values };
}
