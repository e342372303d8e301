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
