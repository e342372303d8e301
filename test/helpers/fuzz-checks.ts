import type { IngestSummary } from "@app/core/ingest/pipeline";
import type { FuzzInput } from "./fuzz-inputs.ts";

/** Sum of a summary's per-table or per-reason counts. */
export const total = (o: Record<string, number | undefined>): number =>
  Object.values(o).reduce<number>((a, b) => a + (b ?? 0), 0);

/** JSON with keys sorted at every level, for comparing counts whatever order they were added in. */
export function canon(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === "object" && !Array.isArray(x)
      ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => a.localeCompare(b)))
      : x,
  );
}

/** How a failure names an input: its key, the fixture it came from and what was done to it. */
export const fuzzLabel = (i: FuzzInput): string => `${i.key} [${i.fixture} ${i.mutation}]`;

/**
 * What is wrong with how one input was ingested, one line each: no manifest; records that do not add up; detected
 * as another source than its key names; fewer records than the fixture's lines it still holds; nothing at all from
 * a non-blank object; an unchanged fixture whose summary (redaction counts aside) differs from its expected one; lake rows per table (from
 * DuckDB) that differ from what the manifest reports.
 */
export function inputProblems(
  input: FuzzInput,
  summary: IngestSummary | undefined,
  lakeRows: Record<string, number>,
): string[] {
  const at = fuzzLabel(input);
  if (!summary) return [`${at}: no manifest`];
  const out: string[] = [];
  const s = summary;
  const accounted = total(s.rows) + total(s.quarantined) + total(s.skipped);
  if (s.records !== accounted) out.push(`${at}: records ${s.records} != ${accounted} accounted`);
  if (s.source !== input.source && !input.blank) out.push(`${at}: detected as ${s.source}, key names ${input.source}`);
  if (input.minRecords !== undefined && s.records < input.minRecords) {
    out.push(
      `${at}: ${s.records} records ${canon(s.quarantined)}, the fixture's ${input.minRecords} are all still there`,
    );
  }
  if (s.records === 0 && !input.blank) out.push(`${at}: no record at all from ${input.bytes.length} bytes`);
  // The fixtures' expected summaries are parses without redaction; what the CLI's default credential filtering
  // masked is counted apart (`redacted`) and checked by the redaction tests.
  const { redacted: _redacted, ...parsed } = s;
  if (input.expected && canon(parsed) !== canon(input.expected)) {
    out.push(`${at}: summary ${canon(s)}, the fixture's is ${canon(input.expected)}`);
  }
  // A digest's listed log files are rows of their own table, counted apart so each record is counted once.
  const want: Record<string, number> = { ...s.rows, ...s.child_rows };
  if (total(s.quarantined) > 0) want.quarantine = total(s.quarantined);
  if (canon(lakeRows) !== canon(want)) out.push(`${at}: lake holds ${canon(lakeRows)}, manifest says ${canon(want)}`);
  return out;
}
