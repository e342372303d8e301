/**
 * CloudFront parsers, data-driven.
 *
 * Each input in test/fixtures/sources/cloudfront/ and test/fixtures/sources/cloudfront_realtime/ (any file that is
 * not `*.expected.json`; `.gz` files are gzip) has a `<case>.expected.json` next to it, where `<case>` is the file
 * name up to its first dot:
 *
 *   {
 *     "description": "what the case is about",
 *     "key": "object key the parser sees (default: the input file name)",
 *     "source": "source id to force, as --source does (default: detection by key, then by content)",
 *     "options": { "realtimeFields": ["timestamp", "c-ip", ...] },   // optional SourceOptions
 *     "summary": { ...IngestSummary of the object... },
 *     "rows": [ { "table": "<table>", "row": { ...every column, lineage included... } }, ... ]
 *   }
 *
 * "rows" lists every sink write in order, quarantine rows included. Each case runs through the real
 * `ingestObject` with the bytes in one chunk, and again in 7-byte chunks, which must not change anything (lines,
 * UTF-8 sequences and gzip blocks split across chunks), cut-off gzip cases included. Lineage is
 * fixed: source_object `fixture://<dir>/<file>`, ingest_time 2024-01-01T00:00:00Z. Adding a case needs no code.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ingestObject, type RowSink } from "@app/core/ingest/pipeline";
import { cloudfrontRealtimeSource, cloudfrontSource } from "@app/core/sources/cloudfront/index";
import type { SourceId, SourceOptions } from "@app/core/sources/types";
import { describe, expect, it } from "vitest";

const FIXTURES = join(import.meta.dirname, "../../../fixtures/sources");
const DIRS = ["cloudfront", "cloudfront_realtime"];
const INGEST_TIME = "2024-01-01T00:00:00Z";

interface Expected {
  description: string;
  key?: string;
  source?: SourceId;
  options?: SourceOptions;
  summary: unknown;
  rows: { table: string; row: Record<string, unknown> }[];
}

const cases = DIRS.flatMap((dir) =>
  readdirSync(join(FIXTURES, dir))
    .filter((f) => !f.endsWith(".expected.json"))
    .sort()
    .map((file) => {
      const name = file.slice(0, file.indexOf("."));
      const expected = JSON.parse(readFileSync(join(FIXTURES, dir, `${name}.expected.json`), "utf8")) as Expected;
      return {
        dir,
        file,
        name,
        expected,
        chunkSizes: [Number.MAX_SAFE_INTEGER, 7],
      };
    }),
);

async function* chunksOf(bytes: Uint8Array, size: number): AsyncIterable<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function ingestFixture(dir: string, file: string, expected: Expected, chunkSize: number) {
  const rows: { table: string; row: Record<string, unknown> }[] = [];
  const sink: RowSink = {
    write(table, row) {
      rows.push({ table: table.name, row: { ...row } });
    },
  };
  const bytes = readFileSync(join(FIXTURES, dir, file));
  const summary = await ingestObject({
    sources: [cloudfrontSource, cloudfrontRealtimeSource],
    bytes: chunksOf(bytes, chunkSize),
    context: { key: expected.key ?? file, options: expected.options ?? {} },
    lineage: { sourceObject: `fixture://${dir}/${file}`, ingestTime: INGEST_TIME },
    sink,
    forced: expected.source,
  });
  return { summary, rows };
}

describe("CloudFront fixtures", () => {
  it("finds cases in both fixture directories", () => {
    expect(new Set(cases.map((c) => c.dir))).toStrictEqual(new Set(DIRS));
  });

  describe.each(cases)("$dir/$file", ({ dir, file, expected, chunkSizes }) => {
    it.each(chunkSizes)("produces the expected summary and rows when bytes arrive in chunks of %d", async (size) => {
      const out = await ingestFixture(dir, file, expected, size);
      expect(out).toStrictEqual({ summary: expected.summary, rows: expected.rows });
    });
  });
});
