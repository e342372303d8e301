/** What an integrity check looked at. */
export const CHECK_KINDS = ["log_file", "digest", "parquet_file", "manifest", "lake_chain"] as const;
export type CheckKind = (typeof CHECK_KINDS)[number];

/**
 * The outcome of one check. `valid` is the only clean verdict, and `unchecked` says what could not be looked at (no
 * digest spans its time); every other verdict is a finding.
 *
 * - `modified`: the bytes no longer hash to what was recorded;
 * - `missing`: recorded (in a digest or a manifest) but absent;
 * - `not_covered`: a CloudTrail log file no digest lists, in a time its digests span;
 * - `added`: a lake file no manifest records;
 * - `chain_break`: a digest or manifest missing, moved, unsigned or whose signature or hash does not match;
 * - `started` / `stopped`: a digest chain restarting after logging was off, and the last digest before the gap.
 */
export const VERDICTS = [
  "valid",
  "modified",
  "missing",
  "not_covered",
  "added",
  "chain_break",
  "started",
  "stopped",
  "unchecked",
] as const;
export type Verdict = (typeof VERDICTS)[number];

/** One checked object and what was found. */
export interface IntegrityResult {
  /** The object checked: s3://bucket/key, a file path, or a lake-relative key. */
  object: string;
  kind: CheckKind;
  verdict: Verdict;
  /** Why, in one line: which hash, which key, which neighbour. */
  detail: string;
  /** UTC hour (`YYYY-MM-DDTHH`) the object belongs to, when it belongs to one. */
  hour?: string;
}

/** True for a verdict that is a finding (exit code 1). */
export function isFinding(verdict: Verdict): boolean {
  return verdict !== "valid" && verdict !== "unchecked";
}

/** Results in a stable order: findings first, then by object and kind. */
export function sortResults(results: readonly IntegrityResult[]): IntegrityResult[] {
  const rank = (r: IntegrityResult) => (isFinding(r.verdict) ? 0 : r.verdict === "unchecked" ? 1 : 2);
  return [...results].sort(
    (a, b) =>
      rank(a) - rank(b) ||
      (a.hour ?? "").localeCompare(b.hour ?? "") ||
      a.object.localeCompare(b.object) ||
      a.kind.localeCompare(b.kind),
  );
}
