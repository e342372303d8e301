/**
 * Edits needed to turn `a` into `b`: insertions, deletions, substitutions and swaps of neighbours (optimal string
 * alignment), so the common typo `cloudtrial` is one edit from `cloudtrail`.
 */
export function editDistance(a: string, b: string): number {
  let before: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, (before[j - 2] ?? 0) + 1);
      row.push(d);
    }
    before = prev;
    prev = row;
  }
  return prev[b.length] ?? 0;
}

/**
 * The candidate a mistyped key most likely meant, or undefined when none is close. Candidates are key paths
 * (`retentionDays`, `worm.retentionDays`); the key is compared with each path's last name. A same name in another
 * case wins, then a name the key starts (`retention` for `retentionDays`), then the fewest edits (at most a third of
 * the name); on a tie the shallower path, then the earlier one.
 *
 * @example
 * closestKey("retention", ["region", "worm.retentionDays"]); // "worm.retentionDays"
 */
export function closestKey(key: string, candidates: readonly string[]): string | undefined {
  const k = key.toLowerCase();
  let best: { path: string; rank: number; depth: number } | undefined;
  for (const path of candidates) {
    const name = (path.split(".").pop() ?? path).toLowerCase();
    const d = editDistance(k, name);
    const prefix = k.length >= 4 && (name.startsWith(k) || k.startsWith(name));
    const rank =
      d === 0 ? 0 : prefix ? 1 : d <= Math.max(1, Math.floor(Math.max(k.length, name.length) / 3)) ? 1 + d : -1;
    if (rank < 0) continue;
    const depth = path.split(".").length;
    if (!best || rank < best.rank || (rank === best.rank && depth < best.depth)) best = { path, rank, depth };
  }
  return best?.path;
}
