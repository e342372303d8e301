import { createPublicKey } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { gzipSync } from "node:zlib";
import { verifyLake } from "@app/core/integrity/lake";
import { LOCAL_SIGNING_PUBLIC_KEY } from "@app/core/lake-layout";
import { SOURCES } from "@app/core/sources/index";
import { openDuckDb } from "@app/lake/duckdb";
import { replayQuarantine } from "@app/lake/replay";
import { LocalLakeStore } from "@app/lake/store";
import { lakeStoreFiles } from "@app/lake/trail-files";
import { demoFiles } from "@app/samples/demo/index";
import type { DuckDBConnection } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runIngest } from "../../../packages/cli/src/commands/ingest.ts";
import { plainTextAppLines, truncatedMessagesAsText, withChangedSource } from "../../helpers/changed-parsers.ts";

// The demo's logs ingested as `loglake demo` ingests them, then its quarantine replayed after a parser change.
let dir: string;
let lake: string;
let db: DuckDBConnection;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "demo-replay-"));
  lake = join(dir, "lake");
  for (const f of demoFiles()) {
    const path = join(dir, "logs", f.path);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, f.gzip ? gzipSync(f.contents) : f.contents);
  }
  await runIngest({ paths: [join(dir, "logs")], lake, quiet: true });
  db = await openDuckDb();
}, 180_000);

afterAll(async () => {
  db?.closeSync();
  await rm(dir, { recursive: true, force: true });
});

async function counts(): Promise<Record<string, number>> {
  const r = await db.runAndReadAll(
    `SELECT 'quarantine.' || reason k, count(*) n FROM read_parquet('${lake}/quarantine/**/*.parquet') GROUP BY 1
     UNION ALL SELECT 'app_events', count(*) FROM read_parquet('${lake}/app_events/**/*.parquet') ORDER BY 1`,
  );
  return Object.fromEntries(r.getRowObjectsJS().map((o) => [o.k as string, Number(o.n)]));
}

describe("replay of the demo's quarantine", () => {
  it("moves the plain-text app line once a changed app JSON parser reads it, and nothing on a second run", async () => {
    // Prepare
    const store = new LocalLakeStore(lake);
    // Two parser changes: plain-text app lines become app events, and CloudWatch Logs keeps a cut JSON message as
    // text, which would make a `cloudwatch_logs` row whose subscription filters the quarantine row does not keep.
    const sources = withChangedSource(
      withChangedSource(SOURCES, "app_json", plainTextAppLines),
      "cloudwatch_logs",
      truncatedMessagesAsText,
    );
    const replay = () =>
      replayQuarantine({
        db,
        store,
        sources,
        replayTime: "2025-06-13T00:00:00.000Z",
        readSource: (o) => (o.startsWith("/") ? createReadStream(o) : undefined),
      });
    const publicKey = createPublicKey((await store.getText(LOCAL_SIGNING_PUBLIC_KEY)) as string);
    const notValid = async () =>
      (await verifyLake({ files: lakeStoreFiles(store), publicKey })).results.filter((r) => r.verdict !== "valid");
    const before = await counts();
    const verifiedBefore = await notValid();
    // Act
    const first = await replay();
    const after = await counts();
    const second = await replay();
    const verified = await notValid();
    // Assess
    expect(before).toStrictEqual({
      app_events: 11125,
      "quarantine.bad_field_count": 2,
      "quarantine.bad_json": 1,
      "quarantine.truncated": 2,
    });
    expect(first).toStrictEqual({
      inputs: 1,
      selected: 5,
      moved: { app_events: 1 },
      still_quarantined: { bad_field_count: 2, truncated: 1 },
      not_replayable: { no_context: 1 },
    });
    expect(after).toStrictEqual({ app_events: 11126, "quarantine.bad_field_count": 2, "quarantine.truncated": 2 });
    expect(second).toStrictEqual({
      inputs: 0,
      selected: 4,
      moved: {},
      still_quarantined: { bad_field_count: 2, truncated: 1 },
      not_replayable: { no_context: 1 },
    });
    // The one manifest verify cannot check (an input that wrote no file) is the demo's own, before and after.
    expect(verifiedBefore.map((r) => r.verdict)).toStrictEqual(["unchecked"]);
    expect(verified).toStrictEqual(verifiedBefore);
  });
});
