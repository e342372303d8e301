/** A metric as CloudWatch names it. */
export interface MetricRef {
  namespace: string;
  metricName: string;
  dimensions: Record<string, string>;
}

/** Arguments of one `aws.cloudwatch.MetricAlarm` (actions are added by the stack), plus its logical name. */
export interface AlarmSpec {
  logicalName: string;
  alarmDescription: string;
  comparisonOperator: "GreaterThanThreshold" | "LessThanThreshold";
  threshold: number;
  evaluationPeriods: number;
  datapointsToAlarm: number;
  treatMissingData: "notBreaching" | "breaching";
  /** A single metric ... */
  metric?: MetricRef & { statistic: "Sum" | "Maximum" | "Average"; period: number };
  /** ... or metric math (the last query returns the alarmed value). */
  metricQueries?: {
    id: string;
    expression?: string;
    label?: string;
    returnData: boolean;
    metric?: MetricRef & { stat: "Sum" | "Maximum"; period: number };
  }[];
}

/** Where the ingest functions publish their record counts (Powertools Metrics, embedded metric format). */
export interface IngestMetrics {
  namespace: string;
  /** Dimensions every data point carries (Powertools adds `service`). */
  dimensions: Record<string, string>;
  /** Records read from inputs, and the ones that went to quarantine. */
  records: string;
  quarantined: string;
  /** Dimension naming the source on per-source data points, for the missing-logs alarms. */
  sourceDimension: string;
  /** Events forwarded to CloudWatch Logs, skipped (too old, too new, too large, expired) and failed, per destination. */
  forwarded: string;
  forwardSkipped: string;
  forwardFailed: string;
  /** Dimension naming the destination on the forwarding data points. */
  destinationDimension: string;
}

/**
 * The metrics contract between the ingest functions and the alarms. Both ingest functions publish with Powertools
 * Metrics under this namespace and service, per object or batch: `RecordsRead` and `RecordsQuarantined` (Count)
 * once with only the `service` dimension (totals) and once more with `source` added (per source).
 */
export const INGEST_METRICS: IngestMetrics = {
  namespace: "loglake",
  dimensions: { service: "loglake-ingest" },
  records: "RecordsRead",
  quarantined: "RecordsQuarantined",
  sourceDimension: "source",
  forwarded: "EventsForwarded",
  forwardSkipped: "EventsForwardSkipped",
  forwardFailed: "EventsForwardFailed",
  destinationDimension: "destination",
};

/** Where the scheduled integrity check publishes its finding count (Powertools Metrics, embedded metric format). */
export const INTEGRITY_METRICS = {
  namespace: "loglake",
  service: "loglake-verify-integrity",
  findings: "IntegrityFindings",
} as const;

const FIVE_MINUTES = 300;

/**
 * The alarm shape for what should never happen at all: any data point above 0 in one period (five minutes unless
 * given) alarms at once. Missing data is quiet unless `treatMissingData` says an absent data point is itself a failure.
 */
export function anyAboveZeroAlarm(
  logicalName: string,
  alarmDescription: string,
  metric: Omit<NonNullable<AlarmSpec["metric"]>, "period"> & { period?: number },
  treatMissingData: AlarmSpec["treatMissingData"] = "notBreaching",
): AlarmSpec {
  return {
    logicalName,
    alarmDescription,
    comparisonOperator: "GreaterThanThreshold",
    threshold: 0,
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    treatMissingData,
    metric: { ...metric, period: metric.period ?? FIVE_MINUTES },
  };
}

/** Any message in a dead-letter queue is a batch that failed every retry: alarm at the first one. */
export function dlqDepthAlarm(logicalName: string, queueName: string): AlarmSpec {
  return anyAboveZeroAlarm(
    logicalName,
    `Messages in ${queueName}: inputs that failed every retry. Inspect, fix and redrive them.`,
    {
      namespace: "AWS/SQS",
      metricName: "ApproximateNumberOfMessagesVisible",
      dimensions: { QueueName: queueName },
      statistic: "Maximum",
    },
  );
}

/** The Kinesis consumer falls behind: the oldest record it read is older than `maxAgeMs`. */
export function iteratorAgeAlarm(logicalName: string, functionName: string, maxAgeMs: number): AlarmSpec {
  return {
    logicalName,
    alarmDescription: `Kinesis consumer ${functionName} is more than ${maxAgeMs / 60_000} minutes behind the stream.`,
    comparisonOperator: "GreaterThanThreshold",
    threshold: maxAgeMs,
    evaluationPeriods: 3,
    datapointsToAlarm: 3,
    treatMissingData: "notBreaching",
    metric: {
      namespace: "AWS/Lambda",
      metricName: "IteratorAge",
      dimensions: { FunctionName: functionName },
      statistic: "Maximum",
      period: FIVE_MINUTES,
    },
  };
}

/** Any invocation error of a function (a whole batch failed, a timeout or a crash). */
export function functionErrorsAlarm(logicalName: string, functionName: string): AlarmSpec {
  return anyAboveZeroAlarm(logicalName, `Function ${functionName} reported errors.`, {
    namespace: "AWS/Lambda",
    metricName: "Errors",
    dimensions: { FunctionName: functionName },
    statistic: "Sum",
  });
}

/**
 * Any integrity finding (a modified, missing or uncovered log file, a broken or restarted digest chain) alarms at
 * once; a run that published nothing is missing data, which counts as breaching: an unchecked day is not a clean one.
 */
export function integrityFindingsAlarm(logicalName: string, periodSeconds: number): AlarmSpec {
  return anyAboveZeroAlarm(
    logicalName,
    "CloudTrail log file validation found a modified, missing or uncovered log file or a broken digest chain, or did not run. See the verify-integrity function's log.",
    {
      namespace: INTEGRITY_METRICS.namespace,
      metricName: INTEGRITY_METRICS.findings,
      dimensions: { service: INTEGRITY_METRICS.service },
      statistic: "Maximum",
      period: periodSeconds,
    },
    "breaching",
  );
}

/** Share of records sent to quarantine, in percent over an hour, above `maxPercent`: a format changed or broke. */
export function quarantineRateAlarm(logicalName: string, metrics: IngestMetrics, maxPercent: number): AlarmSpec {
  const metric = (metricName: string) => ({
    namespace: metrics.namespace,
    metricName,
    dimensions: { ...metrics.dimensions },
    stat: "Sum" as const,
    period: 3600,
  });
  return {
    logicalName,
    alarmDescription: `More than ${maxPercent}% of ingested records were quarantined in an hour.`,
    comparisonOperator: "GreaterThanThreshold",
    threshold: maxPercent,
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    treatMissingData: "notBreaching",
    metricQueries: [
      { id: "records", metric: metric(metrics.records), returnData: false },
      { id: "quarantined", metric: metric(metrics.quarantined), returnData: false },
      {
        id: "rate",
        expression: "IF(records > 0, 100 * quarantined / records, 0)",
        label: "Quarantined records (%)",
        returnData: true,
      },
    ],
  };
}

/**
 * Any event that could not be forwarded to a CloudWatch Logs destination (its group is missing, the role is not
 * trusted, CloudWatch kept failing): the lake has the rows, the group does not. A redelivery of the input sends
 * the calls that were not claimed.
 */
export function forwardFailedAlarm(logicalName: string, metrics: IngestMetrics, destination: string): AlarmSpec {
  return anyAboveZeroAlarm(
    logicalName,
    `Events could not be forwarded to the CloudWatch Logs destination ${destination}. See the ingest functions' logs.`,
    {
      namespace: metrics.namespace,
      metricName: metrics.forwardFailed,
      dimensions: { ...metrics.dimensions, [metrics.destinationDimension]: destination },
      statistic: "Sum",
    },
  );
}

/** No record of `source` for `hours` hours: the source stopped delivering (or its notifications broke). */
export function missingLogsAlarm(
  logicalName: string,
  metrics: IngestMetrics,
  source: string,
  hours: number,
): AlarmSpec {
  return {
    logicalName,
    alarmDescription: `No ${source} records ingested for ${hours} hour(s).`,
    comparisonOperator: "LessThanThreshold",
    threshold: 1,
    evaluationPeriods: hours,
    datapointsToAlarm: hours,
    // No data point at all is exactly the failure this alarm is for.
    treatMissingData: "breaching",
    metric: {
      namespace: metrics.namespace,
      metricName: metrics.records,
      dimensions: { ...metrics.dimensions, [metrics.sourceDimension]: source },
      statistic: "Sum",
      period: 3600,
    },
  };
}
