import {
  anyAboveZeroAlarm,
  dlqDepthAlarm,
  forwardFailedAlarm,
  functionErrorsAlarm,
  type IngestMetrics,
  integrityFindingsAlarm,
  iteratorAgeAlarm,
  missingLogsAlarm,
  quarantineRateAlarm,
} from "@app/core/infra/alarms";
import { describe, expect, it } from "vitest";

const metrics: IngestMetrics = {
  namespace: "loglake",
  dimensions: { service: "ingest" },
  records: "RecordsRead",
  quarantined: "RecordsQuarantined",
  sourceDimension: "source",
  forwarded: "EventsForwarded",
  forwardSkipped: "EventsForwardSkipped",
  forwardFailed: "EventsForwardFailed",
  destinationDimension: "destination",
};

/** The shape every "any data point above 0" alarm shares. */
const ANY_ABOVE_ZERO = {
  comparisonOperator: "GreaterThanThreshold",
  threshold: 0,
  evaluationPeriods: 1,
  datapointsToAlarm: 1,
} as const;

describe("dlqDepthAlarm", () => {
  it("fires on the first message in the dead-letter queue", () => {
    expect(dlqDepthAlarm("IngestDlqDepth", "loglake-prod-ingest-dlq")).toStrictEqual({
      logicalName: "IngestDlqDepth",
      alarmDescription:
        "Messages in loglake-prod-ingest-dlq: inputs that failed every retry. Inspect, fix and redrive them.",
      ...ANY_ABOVE_ZERO,
      treatMissingData: "notBreaching",
      metric: {
        namespace: "AWS/SQS",
        metricName: "ApproximateNumberOfMessagesVisible",
        dimensions: { QueueName: "loglake-prod-ingest-dlq" },
        statistic: "Maximum",
        period: 300,
      },
    });
  });
});

describe("iteratorAgeAlarm", () => {
  it("fires when the Kinesis consumer lags beyond the threshold for 15 minutes", () => {
    const a = iteratorAgeAlarm("StreamIteratorAge", "IngestKinesis", 900_000);
    expect(a.metric?.metricName).toBe("IteratorAge");
    expect(a.metric?.dimensions).toStrictEqual({ FunctionName: "IngestKinesis" });
    expect([a.threshold, a.evaluationPeriods, a.datapointsToAlarm]).toStrictEqual([900_000, 3, 3]);
  });
});

describe("anyAboveZeroAlarm", () => {
  it("alarms at the first data point above 0 in five minutes, quiet without data unless told otherwise", () => {
    const metric = { namespace: "N", metricName: "M", dimensions: { d: "v" }, statistic: "Sum" as const };
    expect([
      anyAboveZeroAlarm("A", "why", metric),
      anyAboveZeroAlarm("B", "why", { ...metric, period: 7200 }, "breaching"),
    ]).toStrictEqual([
      {
        logicalName: "A",
        alarmDescription: "why",
        ...ANY_ABOVE_ZERO,
        treatMissingData: "notBreaching",
        metric: { ...metric, period: 300 },
      },
      {
        logicalName: "B",
        alarmDescription: "why",
        ...ANY_ABOVE_ZERO,
        treatMissingData: "breaching",
        metric: { ...metric, period: 7200 },
      },
    ]);
  });
});

describe("functionErrorsAlarm", () => {
  it("fires on any function error", () => {
    expect(functionErrorsAlarm("CompactLakeErrors", "loglake-prod-compact-lake")).toStrictEqual({
      logicalName: "CompactLakeErrors",
      alarmDescription: "Function loglake-prod-compact-lake reported errors.",
      ...ANY_ABOVE_ZERO,
      treatMissingData: "notBreaching",
      metric: {
        namespace: "AWS/Lambda",
        metricName: "Errors",
        dimensions: { FunctionName: "loglake-prod-compact-lake" },
        statistic: "Sum",
        period: 300,
      },
    });
  });
});

describe("integrityFindingsAlarm", () => {
  it("fires on any finding over its period and counts a run that published nothing as breaching", () => {
    expect(integrityFindingsAlarm("IntegrityFindings", 7200)).toStrictEqual({
      logicalName: "IntegrityFindings",
      alarmDescription:
        "CloudTrail log file validation found a modified, missing or uncovered log file or a broken digest chain, or did not run. See the verify-integrity function's log.",
      ...ANY_ABOVE_ZERO,
      treatMissingData: "breaching",
      metric: {
        namespace: "loglake",
        metricName: "IntegrityFindings",
        dimensions: { service: "loglake-verify-integrity" },
        statistic: "Maximum",
        period: 7200,
      },
    });
  });
});

describe("forwardFailedAlarm", () => {
  it("fires on any event that could not be forwarded to the destination", () => {
    expect(forwardFailedAlarm("ForwardFailedSiem", metrics, "siem")).toStrictEqual({
      logicalName: "ForwardFailedSiem",
      alarmDescription:
        "Events could not be forwarded to the CloudWatch Logs destination siem. See the ingest functions' logs.",
      ...ANY_ABOVE_ZERO,
      treatMissingData: "notBreaching",
      metric: {
        namespace: "loglake",
        metricName: "EventsForwardFailed",
        dimensions: { service: "ingest", destination: "siem" },
        statistic: "Sum",
        period: 300,
      },
    });
  });
});

describe("quarantineRateAlarm", () => {
  it("divides quarantined by read records from the handlers' metrics, guarding against no records", () => {
    const a = quarantineRateAlarm("QuarantineRate", metrics, 5);
    expect(a.threshold).toBe(5);
    expect(a.metricQueries).toStrictEqual([
      {
        id: "records",
        returnData: false,
        metric: {
          namespace: "loglake",
          metricName: "RecordsRead",
          dimensions: { service: "ingest" },
          stat: "Sum",
          period: 3600,
        },
      },
      {
        id: "quarantined",
        returnData: false,
        metric: {
          namespace: "loglake",
          metricName: "RecordsQuarantined",
          dimensions: { service: "ingest" },
          stat: "Sum",
          period: 3600,
        },
      },
      {
        id: "rate",
        expression: "IF(records > 0, 100 * quarantined / records, 0)",
        label: "Quarantined records (%)",
        returnData: true,
      },
    ]);
  });
});

describe("missingLogsAlarm", () => {
  it("treats a missing data point as missing logs", () => {
    const a = missingLogsAlarm("MissingCloudtrail", metrics, "cloudtrail", 2);
    expect(a.treatMissingData).toBe("breaching");
    expect([a.comparisonOperator, a.threshold, a.evaluationPeriods]).toStrictEqual(["LessThanThreshold", 1, 2]);
    expect(a.metric?.dimensions).toStrictEqual({ service: "ingest", source: "cloudtrail" });
  });
});
