// Apart from query.ts so that the report exporter, which runs its queries on Athena, bundles without DuckDB.
import { readdir, readFile } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { loadQueries } from "@app/core/queries/catalog";
import type { SavedQuery } from "@app/core/queries/header";
import { QUERYABLE_TABLE_NAMES } from "@app/core/sources/index";

/** Reads and validates every `.sql` file under a `queries/` folder. */
export async function loadQueryDir(dir: string): Promise<SavedQuery[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = await Promise.all(
    entries
      .filter((e) => e.isFile() && e.name.endsWith(".sql"))
      .map(async (e) => {
        const abs = join(e.parentPath, e.name);
        return { path: relative(dir, abs).split(sep).join("/"), text: await readFile(abs, "utf8") };
      }),
  );
  return loadQueries(files, QUERYABLE_TABLE_NAMES);
}
