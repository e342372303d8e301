import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SOURCES } from "@app/core/sources/index";
import { ingestFiles } from "@app/lake/ingest";
import { openLake } from "@app/lake/query";
import { LocalLakeStore } from "@app/lake/store";
import { describe, expect, it } from "vitest";
import { withDuckDb } from "../../helpers/duckdb.ts";

const FIXTURES = join(import.meta.dirname, "../../fixtures/sources");

async function ingestAndQuery(files: string[], sql: string) {
  const store = new LocalLakeStore(await mkdtemp(join(tmpdir(), "lake-exact-")));
  return withDuckDb(async (db) => {
    await ingestFiles({ db, store, sources: SOURCES, files: files.map((f) => join(FIXTURES, f)), lanes: 1 });
    const lake = await openLake(store, db);
    const result = await lake.runAndReadAll(sql);
    return result.getRowObjectsJson();
  });
}

describe("JSON columns through the lake writer and DuckDB", () => {
  it("keeps 2^53+1 integers, 30-digit numbers and the input's own number text in CloudTrail payloads", async () => {
    // Act
    const rows = await ingestAndQuery(
      ["cloudtrail/exact-json.json"],
      "SELECT request_parameters, response_elements, extra, json_extract_string(request_parameters, '$.sequence') AS seq FROM cloudtrail",
    );
    // Assess
    expect(rows).toStrictEqual([
      {
        request_parameters:
          '{"tableName":"orders","key":{"id":{"N":"1"}},"sequence":1636820292450000128,"checksum":123456789012345678901234567890,"ratio":1.0,"scaled":2.5e-3,"note":"caf\\u00e9 \\/ \\"quoted\\"","10":"numeric key after","b":true}',
        response_elements: '{"consumedCapacity":[9007199254740993,-0.0]}',
        extra: '{"futureCounter":18446744073709551615,"futureObject":{"z":1,"a":[1e400]}}',
        seq: "1636820292450000128",
      },
    ]);
  });

  it("keeps them in app attributes and string columns, and sub-millisecond times as microseconds", async () => {
    // Act
    const rows = await ingestAndQuery(
      ["app_json/aliases.jsonl"],
      "SELECT user_id, attributes, strftime(event_time, '%Y-%m-%dT%H:%M:%S.%fZ') AS t FROM app_events WHERE type = 'api'",
    );
    // Assess
    expect(rows).toStrictEqual([
      {
        user_id: "1636820292450000128",
        attributes: '{"trace":{"span":18446744073709551615}}',
        t: "2024-05-01T10:23:00.000001Z",
      },
    ]);
  });

  it("keeps a CloudTrail time from @timestamp to the microsecond", async () => {
    // Act
    const rows = await ingestAndQuery(
      ["cloudtrail/export-timestamp.ndjson"],
      "SELECT strftime(event_time, '%Y-%m-%dT%H:%M:%S.%fZ') AS t, event_version, error_code FROM cloudtrail ORDER BY event_time",
    );
    // Assess
    expect(rows).toStrictEqual([
      { t: "2024-05-01T12:00:01.817638Z", event_version: "1.09", error_code: null },
      { t: "2024-05-01T12:00:02.250000Z", event_version: null, error_code: null },
      { t: "2024-05-01T12:00:03.000000Z", event_version: "1.08", error_code: "AccessDenied" },
      { t: "2024-05-01T12:00:04.123000Z", event_version: "1.08", error_code: null },
    ]);
  });
});
