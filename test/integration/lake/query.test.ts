import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SOURCES } from "@app/core/sources/index";
import { ingestFiles } from "@app/lake/ingest";
import { openLake } from "@app/lake/query";
import { LocalLakeStore } from "@app/lake/store";
import { describe, expect, it } from "vitest";
import { withDuckDb } from "../../helpers/duckdb.ts";

describe("openLake", () => {
  it("reads exactly the lake named, never a sibling its name would match as a glob pattern", async () => {
    // Prepare: lakes lk1 and lk2 beside lakes literally named `lk[1]` and `l*`, each holding one event naming it.
    const dir = await mkdtemp(join(tmpdir(), "globs-"));
    const names = ["lk1", "lk2", "lk[1]", "l*"];
    await withDuckDb(async (db) => {
      for (const [i, name] of names.entries()) {
        const file = join(dir, `in${i}.jsonl`);
        await writeFile(file, `{"timestamp":"2025-06-12T10:00:00Z","message":"${name}"}\n`);
        await ingestFiles({ db, store: new LocalLakeStore(join(dir, name)), sources: SOURCES, files: [file] });
      }
    });
    // Act
    const seen: Record<string, unknown> = {};
    for (const name of names) {
      seen[name] = await withDuckDb(
        async (conn) => {
          const r = await conn.runAndReadAll("SELECT list(message ORDER BY message) AS m FROM app_events");
          return r.getRowObjectsJson()[0]?.m;
        },
        () => openLake(new LocalLakeStore(join(dir, name))),
      );
    }
    // Assess
    expect(seen).toStrictEqual({ lk1: ["lk1"], lk2: ["lk2"], "lk[1]": ["lk[1]"], "l*": ["l*"] });
  });
});
