import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { IngestManifest } from "../../../packages/core/src/lake-layout.ts";
import { SOURCES } from "../../../packages/core/src/sources/index.ts";
import { openDuckDb } from "../../../packages/lake/src/duckdb.ts";
import { ingestToLake } from "../../../packages/lake/src/ingest.ts";
import { LocalLakeStore } from "../../../packages/lake/src/store.ts";

const lines = [
  '{"timestamp":"2024-05-01T10:00:00Z","type":"auth","action":"login","result":"success","user_id":"u1"}',
  '{"timestamp":"2024-05-01T10:00:05Z","type":"auth","action":"login","result":"failure","user_id":"u2"}',
  '{"timestamp":"2024-05-01T11:00:00Z","type":"auth","action":"logout","user_id":"u1"}',
].join("\n");

async function* bytes() {
  yield new TextEncoder().encode(`${lines}\n`);
}

async function ingestTwice(staleFiles: "delete" | "record") {
  const store = new LocalLakeStore(await mkdtemp(join(tmpdir(), "lake-")));
  const db = await openDuckDb();
  const common = {
    db,
    store,
    sources: SOURCES,
    key: "app/api/x.jsonl",
    sourceObject: "s3://b/app/api/x.jsonl",
    ingestTime: "2024-05-02T00:00:00Z",
    name: "obj",
  };
  // First run writes one file per row; the second writes one file per hour, so one earlier file is not rewritten.
  await ingestToLake({ ...common, bytes: bytes(), rowsPerFile: 1 });
  const second = await ingestToLake({ ...common, bytes: bytes(), staleFiles });
  return { store, second };
}

describe("ingestToLake", () => {
  it("replaces an earlier ingest of the same input, deleting files it no longer writes", async () => {
    const { store, second } = await ingestTwice("delete");
    expect(second.files).toStrictEqual([
      "app_events/dt=2024-05-01/hour=10/obj-0-0.parquet",
      "app_events/dt=2024-05-01/hour=11/obj-0-0.parquet",
    ]);
    expect(await store.list("app_events")).toStrictEqual(second.files);
    expect(second.stale_files).toBeUndefined();
  });

  it("records files it may not delete in the manifest for the compactor", async () => {
    const { store, second } = await ingestTwice("record");
    expect(second.stale_files).toStrictEqual([
      "app_events/dt=2024-05-01/hour=10/obj-1-0.parquet",
      "app_events/dt=2024-05-01/hour=11/obj-2-0.parquet",
    ]);
    expect(await store.list("app_events")).toStrictEqual([...second.files, ...(second.stale_files ?? [])].sort());
    const manifest = JSON.parse((await store.getText("_ingest/obj.json")) as string) as IngestManifest;
    expect(manifest.summary).toStrictEqual({
      source: "app_json",
      records: 3,
      rows: { app_events: 3 },
      quarantined: {},
      skipped: {},
    });
  });
});
