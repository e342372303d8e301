import { ConfigError } from "@app/core/errors";
import { distributionIdFromKey } from "@app/core/sources/cloudfront/detect";
import { cloudfrontRealtimeSource, cloudfrontSource } from "@app/core/sources/cloudfront/index";
import { DEFAULT_REALTIME_FIELDS, validateRealtimeFields } from "@app/core/sources/cloudfront/parse";
import { describe, expect, it } from "vitest";

const F33 =
  "date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) cs(User-Agent) " +
  "cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id x-host-header cs-protocol cs-bytes time-taken " +
  "x-forwarded-for ssl-protocol ssl-cipher x-edge-response-result-type cs-protocol-version fle-status " +
  "fle-encrypted-fields c-port time-to-first-byte x-edge-detailed-result-type sc-content-type sc-content-len " +
  "sc-range-start sc-range-end";
const RT_RECORD =
  "1600020865.895\t67.183.143.147\t0.168\t200\t31126\tGET\thttps\tpreview.dashcon.io\t/font.woff2\t82\tSFO20-C1\t" +
  "eR3FzjDcwV6Pq1BLuTy94PN9BicI_one9B4tC4ECGWrVfX4UsSBq_Q==\td3gpvymg9z2unc.cloudfront.net\t0.237\tHTTP/2.0\tIPv4";

describe("cloudfrontSource.matchKey", () => {
  it.each([
    "E2QWRUHAPOMQZL.2019-12-04-21.6c8f2d1e.gz",
    "logs/cf/E2QWRUHAPOMQZL.2019-12-04-21.6c8f2d1e.gz",
    "example.com-E2QWRUHAPOMQZL.2019-12-04-21.6c8f2d1e.gz",
    "/data/unpacked/EMLARXS9EXAMPLE.2018-06-12-09.8e9f0a1b",
    "AWSLogs/111122223333/CloudFront/part-0001.log.gz",
    "archive/AWSLogs/aws-account-id=111122223333/CloudFront/DistributionId=E1TR1RHV123ABC/year=2024/a.log",
  ])("accepts the standard log key %s", (key) => {
    expect(cloudfrontSource.matchKey(key)).toBe(true);
  });

  it.each([
    "AWSLogs/111122223333/CloudTrail/us-east-1/2024/01/01/111122223333_CloudTrail_us-east-1_20240101T0000Z_ab.json.gz",
    "app/2024/01/01/events.jsonl",
    "e2qwruhapomqzl.2019-12-04-21.6c8f2d1e.gz",
    "E2QWRUHAPOMQZL.2019-12-04.6c8f2d1e.gz",
    "E2QWRUHAPOMQZL.2019-12-04-21.6c8f2d1e.gz/notes.txt",
    "firehose/cloudfront-realtime/2020/09/13/18/E2QWRUHAPOMQZL.2020-09-13-18.a1.gz",
  ])("rejects the key %s", (key) => {
    expect(cloudfrontSource.matchKey(key)).toBe(false);
  });
});

describe("cloudfrontRealtimeSource.matchKey", () => {
  it.each([
    ["firehose/cloudfront-realtime/2020/09/13/18/part-1.gz", true],
    ["exports/cloudfront_real_time/records.tsv", true],
    ["CloudFrontRealTime/2024/01/01/x", true],
    ["AWSLogs/111122223333/CloudFront/part-0001.log.gz", false],
    ["realtime/records.tsv", false],
  ])("says %s is a real-time key: %s", (key, expected) => {
    expect(cloudfrontRealtimeSource.matchKey(key)).toBe(expected);
  });
});

describe("distributionIdFromKey", () => {
  it.each([
    ["cf-logs/E2QWRUHAPOMQZL.2019-12-13-22.6c8f2d1e.gz", "E2QWRUHAPOMQZL"],
    ["example.com-EMLARXS9EXAMPLE.2018-06-12-09.8e9f0a1b.gz", "EMLARXS9EXAMPLE"],
    ["cloudfront/DistributionId=E1TR1RHV123ABC/year=2024/month=11/access.log", "E1TR1RHV123ABC"],
    ["cloudfront/distributionid=e1tr1rhv123abc/2024/11/access.log", "E1TR1RHV123ABC"],
    ["AWSLogs/111122223333/CloudFront/part-0001.log.gz", null],
  ])("reads %s as %s", (key, expected) => {
    expect(distributionIdFromKey(key)).toBe(expected);
  });
});

describe("cloudfrontSource.sniff", () => {
  it.each([
    ["a legacy file head", `#Version: 1.0\n#Fields: ${F33}\n2019-12-04\t21:02:31\tLAX1`],
    ["a v2 W3C head without #Version", "#Fields: date time x-edge-location asn timestamp(ms)\n2024-11-14\t22:30:25"],
    ["a head with a byte-order mark", `\ufeff#Version: 1.0\r\n#Fields: ${F33}\r\n`],
    ["a v2 JSON line", '{"date":"2024-11-15","time":"19:45:51","x-edge-location":"SOF50-P2","asn":"16509"}\n{"da'],
  ])("recognises %s", (_, head) => {
    expect(cloudfrontSource.sniff(head)).toBe(true);
  });

  it.each([
    [
      "an IIS W3C log",
      "#Software: Microsoft Internet Information Services 10.0\n#Version: 1.0\n#Date: 2024-01-01 00:00:00\n" +
        "#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) sc-status\n",
    ],
    ["a CloudTrail file", '{"Records":[{"eventVersion":"1.11","eventTime":"2024-01-01T00:00:00Z"}]}'],
    ["an app JSON line", '{"timestamp":"2024-01-01T00:00:00Z","level":"info","message":"x"}\n'],
    ["a real-time record", `${RT_RECORD}\n`],
    ["data before any header", "2019-12-04\t21:02:31\tLAX1\t392\n#Fields: date time x-edge-location\n"],
    ["an empty head", ""],
  ])("does not claim %s", (_, head) => {
    expect(cloudfrontSource.sniff(head)).toBe(false);
  });
});

describe("cloudfrontRealtimeSource.sniff", () => {
  it.each([
    ["records of equal width", `${RT_RECORD}\n${RT_RECORD}\n`],
    ["a single Kinesis record without newline", RT_RECORD],
    ["records whose last line is cut off", `${RT_RECORD}\n${RT_RECORD}\n1600020866.004\t67.18`],
    [
      "records after one broken by a line break inside a field",
      `${RT_RECORD.replace("/font", "/fo\r\nnt")}\n${RT_RECORD}\n${RT_RECORD}\n`,
    ],
  ])("recognises %s", (_, head) => {
    expect(cloudfrontRealtimeSource.sniff(head)).toBe(true);
  });

  it.each([
    ["a standard log", `#Version: 1.0\n#Fields: ${F33}\n`],
    ["records of different widths", `${RT_RECORD}\n${RT_RECORD}\t-\n`],
    ["epoch seconds without milliseconds", RT_RECORD.replace("1600020865.895", "1600020865")],
    ["a lone timestamp", "1600020865.895\n"],
    ["one record among lines that are not records", `${RT_RECORD}\nnoise\nmore noise\n`],
    ["a JSON line", '{"timestamp":1600020865.895}'],
  ])("does not claim %s", (_, head) => {
    expect(cloudfrontRealtimeSource.sniff(head)).toBe(false);
  });
});

describe("cloudfrontRealtimeSource.parse configuration", () => {
  async function* none(): AsyncIterable<string> {}
  const parseWith = (realtimeFields: string[]) => () =>
    cloudfrontRealtimeSource.parse(none(), { key: "k", sourceObject: "k", options: { realtimeFields } });

  it("throws ConfigError when the field list is empty", () => {
    expect(parseWith([])).toThrow(new ConfigError("realtimeFields: the field list is empty"));
  });

  it("throws ConfigError when a field is listed twice", () => {
    expect(parseWith(["timestamp", "c-ip", "c-ip"])).toThrow(
      new ConfigError('realtimeFields: field "c-ip" is listed twice'),
    );
  });

  it("throws ConfigError when no field carries the time", () => {
    expect(parseWith(["c-ip", "sc-status"])).toThrow(
      new ConfigError('realtimeFields: no time field (timestamp) in ["c-ip","sc-status"]'),
    );
  });
});

describe("validateRealtimeFields", () => {
  it("accepts the default list and a custom list with timestamp anywhere", () => {
    expect(() => validateRealtimeFields(DEFAULT_REALTIME_FIELDS)).not.toThrow();
    expect(() => validateRealtimeFields(["c-ip", "timestamp", "cmcd-session-id"])).not.toThrow();
  });

  it("throws ConfigError for a list that cannot describe records", () => {
    expect(() => validateRealtimeFields(["timestamp", "timestamp"])).toThrow(
      new ConfigError('realtimeFields: field "timestamp" is listed twice'),
    );
  });
});
