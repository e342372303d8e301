import { createPublicKey } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type FindingRow, findingsTable } from "@app/core/findings/schema";
import { verifyLake } from "@app/core/integrity/lake";
import { LOCAL_SIGNING_PUBLIC_KEY, manifestKey, tableDir } from "@app/core/lake-layout";
import { openDuckDb } from "@app/lake/duckdb";
import { writeFindings } from "@app/lake/findings";
import { readManifest } from "@app/lake/ingest";
import { LocalLakeStore } from "@app/lake/store";
import { lakeStoreFiles } from "@app/lake/trail-files";
import type { DuckDBConnection } from "@duckdb/node-api";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

/** A local lake that records which keys were read as text. */
class ReadCountingStore extends LocalLakeStore {
  readonly reads: string[] = [];
  override getText(relPath: string): Promise<string | undefined> {
    this.reads.push(relPath);
    return super.getText(relPath);
  }
}

function finding(day: string, id: string): FindingRow {
  return {
    event_time: `${day}T10:00:00.000Z`,
    finding_id: id.repeat(64).slice(0, 64),
    detection_id: "cloudtrail/root-account-usage",
    detection_name: "Root account usage",
    severity: "high",
    outcome: "success",
    tactic_ids: '["TA0004"]',
    technique_ids: '["T1078.004"]',
    event_id: `event-${id}`,
    event_ids: null,
    actor: "arn:aws:iam::123456789012:root",
    target: "123456789012",
    source_ip_address: "192.0.2.1",
    row_json: `{"event_id":"event-${id}"}`,
    report: "security",
    period_from: "2024-03-08",
    period_to: "2024-03-09",
    report_time: "2024-03-10T06:00:00.000Z",
    source_object: "report://security/2024-03-08_2024-03-09",
    source_line: 1,
    ingest_time: "2024-03-10T06:00:00.000Z",
    cwl_owner: null,
    cwl_log_group: null,
    cwl_log_stream: null,
    cwl_event_id: null,
  };
}

const NAME = "findings-security-2024-03-08_2024-03-09";
let dir: string;
let store: ReadCountingStore;
let db: DuckDBConnection;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "lake-findings-"));
  store = new ReadCountingStore(dir);
  db = await openDuckDb();
});

afterEach(async () => {
  db.closeSync();
  await rm(dir, { recursive: true, force: true });
});

describe("writeFindings", () => {
  it("reads the manifest it replaces once per run, deletes the files the re-run did not rewrite and keeps the chain valid", async () => {
    // Arrange
    const write = (rows: FindingRow[]) =>
      writeFindings({ db, store, name: NAME, rows, reportTime: "2024-03-10T06:00:00.000Z" });
    const manifestReads = () => store.reads.filter((k) => k === manifestKey(NAME)).length;
    // Act
    const first = await write([finding("2024-03-08", "a"), finding("2024-03-09", "b")]);
    const readsFirst = manifestReads();
    const second = await write([finding("2024-03-08", "a")]);
    const readsSecond = manifestReads() - readsFirst;
    const publicKey = createPublicKey((await store.getText(LOCAL_SIGNING_PUBLIC_KEY)) as string);
    const verdicts = (await verifyLake({ files: lakeStoreFiles(store), publicKey })).results
      .filter((r) => r.verdict !== "valid")
      .map((r) => [r.verdict, r.kind, r.object]);
    // Assess
    expect([first.length, second.length, readsFirst, readsSecond]).toStrictEqual([2, 1, 1, 1]);
    expect([
      (await readManifest(store, NAME))?.files,
      (await store.list(tableDir(findingsTable.name))).filter((f) => f.endsWith(".parquet")),
      verdicts,
    ]).toStrictEqual([second, second, []]);
  });
});
