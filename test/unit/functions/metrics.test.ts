import { INGEST_METRICS } from "@app/core/infra/alarms";
import { ingestMetrics, publishIngestMetrics } from "@app/functions/lib/metrics";
import { tally } from "@app/pipeline/counts";
import { afterEach, describe, expect, it, vi } from "vitest";

describe("publishIngestMetrics", () => {
  afterEach(() => vi.restoreAllMocks());

  it("emits the records and quarantine counts the alarms read, per source and in total", () => {
    // Prepare: capture the embedded-metric-format lines Powertools writes to stdout.
    const lines: string[] = [];
    vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    const bySource = new Map();
    tally(bySource, "cloudtrail", { records: 10, quarantined: { bad_json: 2 } });
    tally(bySource, "cloudtrail", { records: 5, quarantined: { truncated: 1, bad_json: 1 } });
    tally(bySource, "cloudfront", { records: 7, quarantined: {} });
    // Act
    publishIngestMetrics(bySource, ingestMetrics());
    // Assess
    const emf = lines.map(
      (l) =>
        JSON.parse(l) as Record<string, unknown> & {
          _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][] }[] };
        },
    );
    const view = emf.map((e) => ({
      namespace: e._aws.CloudWatchMetrics[0]?.Namespace,
      dimensions: e._aws.CloudWatchMetrics[0]?.Dimensions,
      service: e.service,
      source: e.source,
      records: e[INGEST_METRICS.records],
      quarantined: e[INGEST_METRICS.quarantined],
    }));
    expect(view).toStrictEqual([
      {
        namespace: "loglake",
        dimensions: [["service", "source"]],
        service: "loglake-ingest",
        source: "cloudtrail",
        records: 15,
        quarantined: 4,
      },
      {
        namespace: "loglake",
        dimensions: [["service", "source"]],
        service: "loglake-ingest",
        source: "cloudfront",
        records: 7,
        quarantined: 0,
      },
      {
        namespace: "loglake",
        dimensions: [["service"]],
        service: "loglake-ingest",
        source: undefined,
        records: 22,
        quarantined: 4,
      },
    ]);
  });
});
