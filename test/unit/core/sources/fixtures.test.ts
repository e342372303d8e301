/**
 * Every registered source, from its fixtures.
 *
 * Each source in `SOURCES` has `test/fixtures/sources/<id>/`. Each input there, `<case>.<ext>` (any file that is not
 * `*.expected.json`; `<case>` is the name up to its first dot; `.gz` inputs are gzip), has `<case>.expected.json`:
 *
 *   {
 *     "description": "what the case is about",
 *     "key": "object key the pipeline sees (default: the input file name)",
 *     "source": "source id to force, as --source does (default: detection by key, then by content)",
 *     "options": { "realtimeFields": ["timestamp", "c-ip", ...] },   // optional SourceOptions
 *     "summary": { ...IngestSummary of the object... },
 *     "rows": { "<table>": [ { ...every column, lineage included... } ], ... }
 *   }
 *
 * "rows" holds every sink write per table in order, quarantine rows included. Each case runs through the real
 * `ingestObject` with every registered source, with the bytes in one chunk and again in 61- and 7-byte chunks, which
 * must change nothing (records, UTF-8 sequences and gzip blocks split across chunks). Lineage is fixed:
 * source_object `fixture://<id>/<file>`, ingest_time `INGEST_TIME`. Adding a case needs no code; a source without
 * fixtures, or an input without its expected file, fails here.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SOURCES } from "@app/core/sources/index";
import { afterEach, describe, expect, it } from "vitest";
import { ingestCase, readExpected, sourceFixtureCases } from "../../../helpers/source-fixtures.ts";

const { cases, problems } = sourceFixtureCases();

describe("source fixtures", () => {
  it("cover every registered source, each input with its expected file", () => {
    expect(problems).toStrictEqual([]);
  });

  describe.each(SOURCES.map((s) => s.id))("%s", (id) => {
    const own = cases.filter((c) => c.source === id);
    it.each(own.map((c) => [c.file, c] as const))("ingests %s as recorded in its expected file", async (_file, c) => {
      // Prepare
      const expected = readExpected(c);
      // Act
      const whole = await ingestCase(c, Number.MAX_SAFE_INTEGER);
      const chunked = [await ingestCase(c, 61), await ingestCase(c, 7)];
      // Assess
      expect(whole).toStrictEqual({ summary: expected.summary, rows: expected.rows });
      expect(chunked).toStrictEqual([whole, whole]);
      expect(whole.summary.source).toBe(id);
    });
  });
});

describe("sourceFixtureCases", () => {
  let root: string | undefined;
  afterEach(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it("names a source without fixtures, a stray directory, and cases missing either half", () => {
    // Prepare
    root = mkdtempSync(join(tmpdir(), "loglake-fixtures-"));
    const [first, second, ...rest] = SOURCES.map((s) => s.id);
    for (const id of rest) {
      mkdirSync(join(root, id));
      writeFileSync(join(root, id, "a.log"), "x");
      writeFileSync(join(root, id, "a.expected.json"), "{}");
    }
    mkdirSync(join(root, `${first}`));
    writeFileSync(join(root, `${first}`, "lonely.json.gz"), "x");
    writeFileSync(join(root, `${first}`, "lonely.json"), "x");
    writeFileSync(join(root, `${first}`, "orphan.expected.json"), "{}");
    mkdirSync(join(root, "retired_source"));
    // Act
    const found = sourceFixtureCases(root);
    // Assess
    expect(found.problems).toStrictEqual([
      "retired_source: no registered source has this id",
      `${first}/lonely.json: no lonely.expected.json`,
      `${first}/lonely.json.gz: another input has the case name lonely`,
      `${first}/lonely.json.gz: no lonely.expected.json`,
      `${first}/orphan.expected.json: no input`,
      `${second}: no fixture directory`,
    ]);
    expect(found.cases.map((c) => `${c.source}/${c.file}`)).toStrictEqual(rest.map((id) => `${id}/a.log`));
  });
});
