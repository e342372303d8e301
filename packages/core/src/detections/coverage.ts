import type { SavedQuery } from "../queries/header.ts";
import { CIS_CONTROLS, type CisControl } from "./frameworks.ts";

/** Why a Stratus Red Team technique has no detection: the reasons file `queries/coverage-gaps.json`. */
export interface CoverageGaps {
  stratus: Readonly<Record<string, string>>;
}

const BLOCK = /(<!-- coverage:([a-z]+) -->\n)[\s\S]*?(<!-- \/coverage:\2 -->)/g;

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, 3, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(" | ")} |`;
  return [line(header), `| ${widths.map((w) => "-".repeat(w)).join(" | ")} |`, ...rows.map(line)].join("\n");
}

const ids = (qs: readonly SavedQuery[]) => qs.map((q) => `\`${q.id}\``).join(", ");

function detectionsOf(queries: readonly SavedQuery[]): SavedQuery[] {
  return queries.filter((q) => q.detection !== undefined);
}

/** CIS control → the detections implementing it; a control without one says so. */
export function cisCoverage(queries: readonly SavedQuery[]): string {
  const detections = detectionsOf(queries);
  const rows = (Object.keys(CIS_CONTROLS) as CisControl[]).map((c) => {
    const found = detections.filter((q) => q.detection?.cis.includes(c));
    return [c, CIS_CONTROLS[c], found.length > 0 ? ids(found) : "**not covered**"];
  });
  return table(["control", "CIS AWS Foundations v1.5", "detections"], rows);
}

/** ATT&CK technique → the detections naming it, sorted by technique id. */
export function attackCoverage(queries: readonly SavedQuery[]): string {
  const detections = detectionsOf(queries);
  const techniques = [...new Set(detections.flatMap((q) => q.detection?.techniques ?? []))].sort();
  const rows = techniques.map((t) => [t, ids(detections.filter((q) => q.detection?.techniques.includes(t)))]);
  return table(["ATT&CK technique", "detections"], rows);
}

/** Stratus Red Team technique → the detections that see it, or the written reason why CloudTrail cannot. */
export function stratusCoverage(
  queries: readonly SavedQuery[],
  techniques: readonly string[],
  gaps: CoverageGaps,
): string {
  const detections = detectionsOf(queries);
  const rows = [...techniques].sort().map((t) => {
    const found = detections.filter((q) => q.detection?.stratus.includes(t));
    const reason = gaps.stratus[t];
    return [t, found.length > 0 ? ids(found) : reason ? `not visible in CloudTrail: ${reason}` : "**not covered**"];
  });
  return table(["Stratus Red Team technique", "detections, or why CloudTrail cannot show it"], rows);
}

/**
 * Problems with the coverage data: header ids missing from the catalog, reasons for ids the catalog lacks, and
 * reasons given for techniques a detection covers. Empty when the data agrees.
 */
export function coverageProblems(
  queries: readonly SavedQuery[],
  techniques: readonly string[],
  gaps: CoverageGaps,
): string[] {
  const known = new Set(techniques);
  const covered = new Set(detectionsOf(queries).flatMap((q) => q.detection?.stratus ?? []));
  return [
    ...detectionsOf(queries).flatMap((q) =>
      (q.detection?.stratus ?? [])
        .filter((s) => !known.has(s))
        .map((s) => `queries/${q.id}.sql: stratus "${s}" is not in the Stratus Red Team catalog`),
    ),
    ...Object.keys(gaps.stratus)
      .filter((s) => !known.has(s))
      .map((s) => `coverage-gaps.json: "${s}" is not in the Stratus Red Team catalog`),
    ...Object.keys(gaps.stratus)
      .filter((s) => covered.has(s))
      .map((s) => `coverage-gaps.json: "${s}" has a detection, so it needs no reason`),
  ];
}

/** Stratus techniques with neither a detection nor a reason. */
export function uncoveredStratus(
  queries: readonly SavedQuery[],
  techniques: readonly string[],
  gaps: CoverageGaps,
): string[] {
  const covered = new Set(detectionsOf(queries).flatMap((q) => q.detection?.stratus ?? []));
  return [...techniques].sort().filter((t) => !covered.has(t) && gaps.stratus[t] === undefined);
}

/**
 * Text with every `<!-- coverage:<cis|attack|stratus> -->` … `<!-- /coverage:… -->` block holding its generated table.
 * Throws for a block of another name.
 *
 * @example
 * fillCoverageTables(readme, queries, catalog.techniques, gaps);
 */
export function fillCoverageTables(
  text: string,
  queries: readonly SavedQuery[],
  techniques: readonly string[],
  gaps: CoverageGaps,
): string {
  const tables: Record<string, () => string> = {
    cis: () => cisCoverage(queries),
    attack: () => attackCoverage(queries),
    stratus: () => stratusCoverage(queries, techniques, gaps),
  };
  return text.replace(BLOCK, (_all, open: string, name: string, close: string) => {
    const make = tables[name];
    if (!make) throw new Error(`coverage block names no table: ${name}`);
    return `${open}${make()}\n${close}`;
  });
}
