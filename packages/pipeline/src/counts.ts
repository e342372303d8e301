import type { IngestSummary } from "@app/core/ingest/pipeline";
import type { ForwardCounts } from "./forward.ts";

type Counts = Pick<IngestSummary, "records" | "quarantined">;

/** Records read and quarantined per source over one batch. */
export type IngestCounts = Map<string, Counts>;

/** Adds one object's or batch's counts to a per-source tally. */
export function tally(into: IngestCounts, source: string, s: Counts): void {
  const t = into.get(source) ?? { records: 0, quarantined: {} };
  t.records += s.records;
  for (const [k, v] of Object.entries(s.quarantined) as [keyof Counts["quarantined"], number][]) {
    t.quarantined[k] = (t.quarantined[k] ?? 0) + v;
  }
  into.set(source, t);
}

/** Receives one batch's counts: per source, and what forwarding to CloudWatch Logs did per destination. */
export type PublishMetrics = (bySource: IngestCounts, forwarded: ForwardCounts) => void;
