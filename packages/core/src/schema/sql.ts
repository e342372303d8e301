/** Quotes an SQL identifier (DuckDB and Trino both use double quotes). */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Quotes an SQL string literal. */
export function quoteLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/**
 * Escapes a path for a DuckDB reader, which expands `*`, `?` and `[…]` in any path it is given: each becomes a
 * one-character class (`[*]`), so `/x/lk[1]` reads that directory and not `/x/lk1`. Append glob patterns after.
 */
export function escapeGlob(path: string): string {
  return path.replace(/[[*?]/g, (c) => `[${c}]`);
}
