/**
 * Field paths: the keys from a record's top down, joined by `.` (`request_parameters.secretString`). Array elements
 * have their array's path. In a pattern, `*` stands for one key and `**` for any number of keys (none included).
 */
export type PathPattern = readonly string[];

/** Splits a path or pattern into keys; the empty path has none. */
export function splitPath(path: string): string[] {
  return path === "" ? [] : path.split(".");
}

/** Problems with a path pattern (empty keys), for config validation. */
export function pathPatternProblems(pattern: string): string[] {
  if (pattern === "") return ["must not be empty (use ** for every field)"];
  return splitPath(pattern).some((k) => k === "") ? ['must be keys joined by "." with none empty'] : [];
}

/** True when the pattern matches the path exactly. */
export function matchesPath(pattern: PathPattern, path: readonly string[], i = 0, j = 0): boolean {
  for (;;) {
    if (i === pattern.length) return j === path.length;
    const p = pattern[i];
    if (p === "**") {
      for (let k = j; k <= path.length; k++) if (matchesPath(pattern, path, i + 1, k)) return true;
      return false;
    }
    if (j === path.length || (p !== "*" && p !== path[j])) return false;
    i++;
    j++;
  }
}

/** True when the pattern matches some path strictly below `path` (`path` followed by one key or more). */
export function matchesBelow(pattern: PathPattern, path: readonly string[], i = 0, j = 0): boolean {
  for (;;) {
    if (j === path.length) {
      // Whatever is left of the pattern matches at least one more key.
      return i < pattern.length;
    }
    if (i === pattern.length) return false;
    const p = pattern[i];
    if (p === "**") return matchesBelow(pattern, path, i + 1, j) || matchesBelow(pattern, path, i, j + 1);
    if (p !== "*" && p !== path[j]) return false;
    i++;
    j++;
  }
}

/**
 * A key every path strictly below `depth` keys that `pattern` matches holds inside the text at that depth, and
 * whether it is the path's last; undefined when there is none to look for.
 */
export function keyBelow(pattern: PathPattern, depth: number): { name: string; last: boolean } | undefined {
  const last = pattern[pattern.length - 1];
  if (pattern.includes("**")) {
    // Any number of keys may come before the last: only a last key that is a name can be looked for.
    if (last === undefined || last === "*" || last === "**" || pattern.length <= depth) return undefined;
    return { name: last, last: true };
  }
  // Without `**` the key at index i of the pattern is the key at depth i of the path.
  for (let i = pattern.length - 1; i >= depth; i--) {
    const k = pattern[i] as string;
    if (k !== "*") return { name: k, last: i === pattern.length - 1 };
  }
  return undefined;
}
