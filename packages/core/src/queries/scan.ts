/** What a lexical pass over one SQL text finds outside string literals, quoted identifiers and comments. */
export interface SqlScan {
  /** Positional `?` placeholders, in order. */
  placeholders: number;
  /** `;` separators that are followed by more SQL (a trailing `;` is not counted). */
  separators: number;
  /** `?` characters that sit inside comments (Athena's console may take them for placeholders). */
  placeholdersInComments: number;
  /** The text with comments replaced by spaces and string literals emptied, for keyword checks. */
  code: string;
  /**
   * The text with the same length and offsets: comments and the inside of string literals blanked to spaces, so a
   * keyword found in it is SQL and its offset cuts the original text.
   */
  mask: string;
  /** True when a string literal, quoted identifier or block comment is left open. */
  unterminated: boolean;
}

/**
 * Scans SQL the way Trino's lexer splits it: `'…'` literals (with `''` escapes), `"…"` identifiers, `--` line
 * comments and `/* … *\/` block comments. Only what lies outside them counts as SQL.
 */
export function scanSql(sql: string): SqlScan {
  let placeholders = 0;
  let separators = 0;
  let placeholdersInComments = 0;
  let unterminated = false;
  let pendingSeparator = false;
  const code: string[] = [];
  const mask: string[] = [];
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const ch = sql[i] as string;
    const next = sql[i + 1];
    if (ch === "-" && next === "-") {
      const end = sql.indexOf("\n", i);
      const stop = end === -1 ? n : end;
      placeholdersInComments += count(sql.slice(i, stop), "?");
      code.push(" ".repeat(stop - i));
      mask.push(" ".repeat(stop - i));
      i = stop;
      continue;
    }
    if (ch === "/" && next === "*") {
      const end = sql.indexOf("*/", i + 2);
      if (end === -1) unterminated = true;
      const stop = end === -1 ? n : end + 2;
      placeholdersInComments += count(sql.slice(i, stop), "?");
      code.push(" ".repeat(stop - i));
      mask.push(blank(sql.slice(i, stop)));
      i = stop;
      continue;
    }
    if (ch === "'" || ch === '"') {
      let j = i + 1;
      for (;;) {
        const k = sql.indexOf(ch, j);
        if (k === -1) {
          unterminated = true;
          j = n;
          break;
        }
        if (sql[k + 1] === ch) {
          j = k + 2;
          continue;
        }
        j = k + 1;
        break;
      }
      // Keep identifiers (they matter to keyword checks); empty string literals so their text cannot match.
      code.push(ch === '"' ? sql.slice(i, j) : "''");
      mask.push(ch === '"' ? sql.slice(i, j) : `'${" ".repeat(Math.max(0, j - i - 2))}${j - i >= 2 ? "'" : ""}`);
      if (pendingSeparator) separators++;
      pendingSeparator = false;
      i = j;
      continue;
    }
    if (ch === ";") {
      pendingSeparator = true;
      code.push(" ");
      mask.push(" ");
      i++;
      continue;
    }
    if (!/\s/.test(ch)) {
      if (pendingSeparator) separators++;
      pendingSeparator = false;
    }
    if (ch === "?") placeholders++;
    code.push(ch);
    mask.push(ch);
    i++;
  }
  return { placeholders, separators, placeholdersInComments, code: code.join(""), mask: mask.join(""), unterminated };
}

/** Spaces in place of every character but line breaks, so a block comment keeps the lines around it apart. */
function blank(s: string): string {
  return s.replace(/[^\n]/g, " ");
}

function count(s: string, c: string): number {
  let k = 0;
  for (const ch of s) if (ch === c) k++;
  return k;
}
