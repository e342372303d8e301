import { copyFile, mkdir, mkdtemp, utimes } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { SOURCES } from "../../../packages/core/src/sources/index.ts";
import { openDuckDb } from "../../../packages/lake/src/duckdb.ts";
import { ingestFiles } from "../../../packages/lake/src/ingest.ts";
import { openLake } from "../../../packages/lake/src/query.ts";
import { LocalLakeStore } from "../../../packages/lake/src/store.ts";

const FIXTURES = join(import.meta.dirname, "../../fixtures");
// Every input arrives (mtime) long after its records were written, so arrival-day dating would show.
const ARRIVAL = new Date("2030-01-01T00:00:00Z");

// Fixture → the path it is ingested under: the names real deliveries have, or none that names a time.
const INPUTS: Record<string, string> = {
  "sources/cloudfront/bad-lines.log": "cf/E2QWRUHAPOMQZL.2019-12-13-22.0badf00d",
  "sources/cloudtrail/cut-gzip.json.gz":
    "AWSLogs/111122223333/CloudTrail/us-east-1/2024/05/01/111122223333_CloudTrail_us-east-1_20240501T1010Z_Cu7Gz1pF1l3Zz9Qq.json.gz",
  "sources/app_json/malformed.jsonl": "app/auth-service/2024/05/01/11.jsonl",
  "sources/cloudwatch_logs/lambda-awslogs.json": "exports/lambda-awslogs.json",
  "ingest/quarantine-time/cloudtrail-export.json": "exports/cloudtrail-export.json",
};

describe("quarantine rows are dated by the record's own time when it is known", () => {
  it("puts each bad record in its own partition, else its object key's, else the arrival's", async () => {
    // Prepare
    const dir = await mkdtemp(join(tmpdir(), "qtime-"));
    const files: string[] = [];
    for (const [fixture, path] of Object.entries(INPUTS)) {
      const file = join(dir, "in", path);
      await mkdir(dirname(file), { recursive: true });
      await copyFile(join(FIXTURES, fixture), file);
      await utimes(file, ARRIVAL, ARRIVAL);
      files.push(file);
    }
    const store = new LocalLakeStore(join(dir, "lake"));
    const db = await openDuckDb();
    // Act
    await ingestFiles({ db, store, sources: SOURCES, files });
    await openLake(store, db);
    const rows = await db.runAndReadAll(
      `SELECT regexp_extract(source_object, '[^/]+$') AS object, source_line::INTEGER AS line, reason,
              strftime(event_time, '%Y-%m-%dT%H:%M:%S') AS event_time, strftime(ingest_time, '%Y-%m-%d') AS arrival
       FROM quarantine ORDER BY object, line`,
    );
    const partitions = new Set((await store.list("quarantine")).map((f) => f.split("/").slice(1, 3).join("/")));
    db.closeSync();
    // Assess
    const cf = "E2QWRUHAPOMQZL.2019-12-13-22.0badf00d";
    const ct = "111122223333_CloudTrail_us-east-1_20240501T1010Z_Cu7Gz1pF1l3Zz9Qq.json.gz";
    const q = (object: string, line: number, reason: string, eventTime: string) => ({
      object,
      line,
      reason,
      event_time: eventTime,
      arrival: "2030-01-01",
    });
    expect(rows.getRowObjectsJson()).toStrictEqual([
      // Unreadable lines of an app log fall back to its dated folders.
      ...[
        [4, "bad_json"],
        [5, "bad_record"],
        [6, "bad_record"],
        [7, "bad_timestamp"],
        [8, "bad_timestamp"],
        [10, "truncated"],
      ].map(([line, reason]) => q("11.jsonl", line as number, reason as string, "2024-05-01T11:00:00")),
      // A cut-off gzip object's records belong to the time in its key.
      q(ct, 5, "truncated", "2024-05-01T10:10:00"),
      q(ct, 6, "corrupt_gzip", "2024-05-01T10:10:00"),
      // Own time where the line's date and time are whole; the key's hour where they are not.
      q(cf, 1, "missing_header", "2019-12-13T22:00:00"),
      q(cf, 5, "bad_field_count", "2019-12-13T22:37:02"),
      q(cf, 6, "bad_field_count", "2019-12-13T22:37:02"),
      q(cf, 7, "bad_timestamp", "2019-12-13T22:00:00"),
      q(cf, 8, "bad_timestamp", "2019-12-13T22:00:00"),
      q(cf, 9, "bad_value", "2019-12-13T22:37:02"),
      q(cf, 10, "bad_value", "2019-12-13T22:37:02"),
      q(cf, 11, "bad_value", "2019-12-13T22:37:02"),
      q(cf, 12, "bad_value", "2019-12-13T22:37:02"),
      // Own time of a valid eventTime on an object that is no record; none known for an invalid one: arrival.
      q("cloudtrail-export.json", 2, "bad_record", "2024-02-29T23:59:59"),
      q("cloudtrail-export.json", 3, "bad_timestamp", "2030-01-01T00:00:00"),
      // A CloudWatch Logs event's own timestamp dates its bad message (its text messages are cloudwatch_logs rows).
      q("lambda-awslogs.json", 5, "truncated", "2024-05-01T10:12:05"),
    ]);
    expect([...partitions].sort()).toStrictEqual([
      "dt=2019-12-13/hour=22",
      "dt=2024-02-29/hour=23",
      "dt=2024-05-01/hour=10",
      "dt=2024-05-01/hour=11",
      "dt=2030-01-01/hour=00",
    ]);
  });
});
