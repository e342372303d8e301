import { INGEST_METRICS } from "@app/core/infra/alarms";
import type { IngestCounts } from "@app/pipeline/counts";
import type { ForwardCounts } from "@app/pipeline/forward";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";

/**
 * Publishes what the quarantine-rate, missing-logs and forwarding alarms read (`INGEST_METRICS`): records read and
 * records quarantined, once with the service dimension only and once per source, then per CloudWatch Logs
 * destination the events forwarded, skipped and failed, as CloudWatch embedded metric format.
 */
export function publishIngestMetrics(
  bySource: IngestCounts,
  metrics = ingestMetrics(),
  forwarded: ForwardCounts = new Map(),
): void {
  let records = 0;
  let quarantined = 0;
  for (const [source, s] of bySource) {
    const q = Object.values(s.quarantined).reduce((a, b) => a + (b ?? 0), 0);
    records += s.records;
    quarantined += q;
    metrics.addDimension(INGEST_METRICS.sourceDimension, source);
    metrics.addMetric(INGEST_METRICS.records, MetricUnit.Count, s.records);
    metrics.addMetric(INGEST_METRICS.quarantined, MetricUnit.Count, q);
    metrics.publishStoredMetrics();
  }
  metrics.addMetric(INGEST_METRICS.records, MetricUnit.Count, records);
  metrics.addMetric(INGEST_METRICS.quarantined, MetricUnit.Count, quarantined);
  metrics.publishStoredMetrics();
  for (const [destination, t] of forwarded) {
    metrics.addDimension(INGEST_METRICS.destinationDimension, destination);
    metrics.addMetric(INGEST_METRICS.forwarded, MetricUnit.Count, t.sent + t.duplicated);
    metrics.addMetric(
      INGEST_METRICS.forwardSkipped,
      MetricUnit.Count,
      Object.values(t.skipped).reduce((a, b) => a + b, 0),
    );
    metrics.addMetric(INGEST_METRICS.forwardFailed, MetricUnit.Count, t.failed);
    metrics.publishStoredMetrics();
  }
}

/** The Powertools Metrics instance of the ingest functions (namespace and service from `INGEST_METRICS`). */
export function ingestMetrics(): Metrics {
  return new Metrics({ namespace: INGEST_METRICS.namespace, serviceName: INGEST_METRICS.dimensions.service });
}
