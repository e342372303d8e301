import {
  dlqDepthAlarm,
  functionErrorsAlarm,
  type IngestMetrics,
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

describe("dlqDepthAlarm", () => {
  it("fires on the first message in the dead-letter queue", () => {
    const a = dlqDepthAlarm("IngestDlqDepth", "loglake-prod-ingest-dlq");
    expect([a.comparisonOperator, a.threshold, a.evaluationPeriods, a.treatMissingData]).toStrictEqual([
      "GreaterThanThreshold",
      0,
      1,
      "notBreaching",
    ]);
    expect(a.metric).toStrictEqual({
      namespace: "AWS/SQS",
      metricName: "ApproximateNumberOfMessagesVisible",
      dimensions: { QueueName: "loglake-prod-ingest-dlq" },
      statistic: "Maximum",
      period: 300,
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

describe("functionErrorsAlarm", () => {
  it("fires on any function error", () => {
    const a = functionErrorsAlarm("IngestSqsErrors", "IngestSqs");
    expect([a.metric?.namespace, a.metric?.metricName, a.metric?.statistic, a.threshold]).toStrictEqual([
      "AWS/Lambda",
      "Errors",
      "Sum",
      0,
    ]);
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
