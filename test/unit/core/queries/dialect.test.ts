import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { loadQueries } from "@app/core/queries/catalog";
import { QUERYABLE_TABLE_NAMES } from "@app/core/sources/index";
import { TrinoSQL } from "dt-sql-parser";
import { describe, expect, it } from "vitest";

// dt-sql-parser's TrinoSQL is generated from Trino's own ANTLR grammar (SqlBase.g4). node-sql-parser's "trino"
// dialect was tried first: it accepts DuckDB and MySQL syntax Trino rejects (`::` casts, ILIKE, `//`, INTERVAL 7 DAY),
// so it cannot catch a query that would only run locally.
const trino = new TrinoSQL();
const DIR = join(import.meta.dirname, "..", "..", "..", "..", "queries");
const files = readdirSync(DIR, { recursive: true })
  .map(String)
  .filter((f) => f.endsWith(".sql"))
  .map((path) => ({ path: path.split("\\").join("/"), text: readFileSync(join(DIR, path), "utf8") }));
const queries = loadQueries(files, QUERYABLE_TABLE_NAMES);

function syntaxErrors(sql: string): string[] {
  return trino.validate(sql).map((e) => `${e.startLine}:${e.startColumn} ${e.message}`);
}

describe("saved queries are Trino SQL", () => {
  it("loads every file in queries/ with a valid header", () => {
    expect(queries.map((q) => `${q.id}.sql`).sort()).toStrictEqual(files.map((f) => f.path).sort());
  });

  describe.each(queries.map((q) => [q.id, q.sql] as const))("%s", (_id, sql) => {
    it("parses with the Trino grammar", () => {
      expect(syntaxErrors(sql)).toStrictEqual([]);
    });

    it("is one statement", () => {
      expect(trino.splitSQLByStatement(sql)?.length).toBe(1);
    });

    it("avoids functions whose DuckDB meaning differs and has no compatibility macro", () => {
      // DuckDB-only spellings, and Trino functions the compatibility layer does not provide.
      const unsupported = sql.match(
        /\b(strftime|list_\w+|regexp_matches|epoch|date_format|array_join|cardinality|element_at|to_iso8601|greatest\(\s*[a-z_.]+\s*,\s*null)\b/gi,
      );
      expect(unsupported).toBeNull();
    });
  });

  it.each([
    ["a DuckDB cast", "SELECT a::int FROM t"],
    ["ILIKE", "SELECT a FROM t WHERE a ILIKE 'x'"],
    ["integer division", "SELECT a // 2 FROM t"],
    ["an unquoted interval", "SELECT a FROM t WHERE b > now() - INTERVAL 7 DAY"],
    ["a list literal", "SELECT [1, 2] FROM t"],
    ["a misspelt keyword", "SELEC a FROM t"],
  ])("would fail a query with %s", (_what, sql) => {
    expect(syntaxErrors(sql).length).toBeGreaterThan(0);
  });
});
