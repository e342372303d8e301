import { mkdir, mkdtemp, readdir, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RowRejectedError } from "@app/core/ingest/pipeline";
import { column } from "@app/core/schema/column";
import { toDuckDbView } from "@app/core/schema/duckdb";
import { defineTable } from "@app/core/schema/table";
import { LocalLakeStore } from "@app/lake/store";
import { createLakeWriter, WriteFailedError } from "@app/lake/writer";
import { parquetMetadata, parquetReadObjects } from "hyparquet";
import { compressors } from "hyparquet-compressors";
import { describe, expect, it } from "vitest";
import { withDuckDb } from "../../helpers/duckdb.ts";

const table = defineTable({
  name: "writer_probe",
  description: "every logical type once",
  timeColumn: "event_time",
  columns: {
    event_time: column.timestamp("time", { nullable: false }),
    s: column.string("string"),
    i: column.int32("int32"),
    l: column.int64("int64"),
    d: column.double("double"),
    b: column.boolean("boolean"),
    j: column.json("json"),
  },
});

const lineage = { source_object: "file:///probe.log", source_line: 1, ingest_time: "2024-03-01T00:00:00Z" };
const rows = [
  {
    ...lineage,
    event_time: "2024-02-29T23:59:59.123Z",
    s: 'comma, "quote"\nnewline',
    i: 404,
    l: 9007199254740991,
    d: 0.25,
    b: true,
    j: '{"a":[1,2]}',
  },
  {
    ...lineage,
    source_line: 2,
    event_time: "2024-03-01T00:00:00Z",
    s: "",
    i: null,
    l: null,
    d: null,
    b: false,
    j: null,
  },
  { ...lineage, source_line: 3, event_time: "2024-03-01T00:30:00Z", s: null, i: -1, l: 0, d: -1.5, b: null, j: "[]" },
];

async function writeProbe(rowsPerFile?: number) {
  const root = await mkdtemp(join(tmpdir(), "lake-"));
  const store = new LocalLakeStore(root);
  const { files } = await withDuckDb(async (db) => {
    const writer = await createLakeWriter({ db, publish: (rel, local) => store.putFile(rel, local), rowsPerFile });
    for (const r of rows) await writer.sink.write(table, { ...r });
    return writer.finish("probe");
  });
  return { root, store, files };
}

describe("createLakeWriter", () => {
  it("writes one ZSTD Parquet file per UTC hour partition, named from the input identity", async () => {
    const { files } = await writeProbe();
    expect(files).toStrictEqual([
      "writer_probe/dt=2024-02-29/hour=23/probe-0-0.parquet",
      "writer_probe/dt=2024-03-01/hour=00/probe-0-0.parquet",
    ]);
  });

  it("splits into bounded files when rowsPerFile is reached", async () => {
    const { files } = await writeProbe(1);
    expect(files).toStrictEqual([
      "writer_probe/dt=2024-02-29/hour=23/probe-0-0.parquet",
      "writer_probe/dt=2024-03-01/hour=00/probe-1-0.parquet",
      "writer_probe/dt=2024-03-01/hour=00/probe-2-0.parquet",
    ]);
  });

  it("round-trips every logical type through DuckDB with the declared types", async () => {
    const { root } = await writeProbe();
    await withDuckDb(async (db) => {
      await db.run(toDuckDbView(table, root));
      const described = await db.runAndReadAll(`DESCRIBE "writer_probe"`);
      expect(described.getRowObjectsJson().map((r) => [r.column_name, r.column_type])).toStrictEqual([
        ["event_time", "TIMESTAMP"],
        ["s", "VARCHAR"],
        ["i", "INTEGER"],
        ["l", "BIGINT"],
        ["d", "DOUBLE"],
        ["b", "BOOLEAN"],
        ["j", "VARCHAR"],
        ["source_object", "VARCHAR"],
        ["source_line", "BIGINT"],
        ["ingest_time", "TIMESTAMP"],
        ["cwl_owner", "VARCHAR"],
        ["cwl_log_group", "VARCHAR"],
        ["cwl_log_stream", "VARCHAR"],
        ["cwl_event_id", "VARCHAR"],
        ["dt", "VARCHAR"],
        ["hour", "INTEGER"],
      ]);
      const back = await db.runAndReadAll(
        `SELECT strftime(event_time, '%Y-%m-%dT%H:%M:%S.%gZ') t, s, i, l, d, b, j, source_line, dt, hour FROM writer_probe ORDER BY source_line`,
      );
      expect(back.getRowObjectsJson()).toStrictEqual([
        {
          t: "2024-02-29T23:59:59.123Z",
          s: 'comma, "quote"\nnewline',
          i: 404,
          l: "9007199254740991",
          d: 0.25,
          b: true,
          j: '{"a":[1,2]}',
          source_line: "1",
          dt: "2024-02-29",
          hour: 23,
        },
        {
          t: "2024-03-01T00:00:00.000Z",
          s: "",
          i: null,
          l: null,
          d: null,
          b: false,
          j: null,
          source_line: "2",
          dt: "2024-03-01",
          hour: 0,
        },
        {
          t: "2024-03-01T00:30:00.000Z",
          s: null,
          i: -1,
          l: "0",
          d: -1.5,
          b: null,
          j: "[]",
          source_line: "3",
          dt: "2024-03-01",
          hour: 0,
        },
      ]);
    });
  });

  it("writes INT64 microsecond timestamps (no INT96) and ZSTD, as an independent reader sees them", async () => {
    const { root, files } = await writeProbe();
    const buf = await readFile(join(root, files[1] as string));
    const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
    const meta = parquetMetadata(ab);
    const leaf = Object.fromEntries(meta.schema.slice(1).map((s) => [s.name, s]));
    expect(leaf.event_time?.type).toBe("INT64");
    expect(leaf.event_time?.logical_type).toStrictEqual({ type: "TIMESTAMP", isAdjustedToUTC: false, unit: "MICROS" });
    expect(leaf.l?.type).toBe("INT64");
    expect(leaf.i?.type).toBe("INT32");
    expect(leaf.s?.type).toBe("BYTE_ARRAY");
    expect(meta.row_groups.flatMap((g) => g.columns.map((c) => c.meta_data?.codec))).toStrictEqual(
      Array(Object.keys(table.columns).length).fill("ZSTD"),
    );
    const objects = await parquetReadObjects({ file: ab, columns: ["s", "l", "b"], compressors });
    expect(objects).toStrictEqual([
      { s: "", l: null, b: false },
      { s: null, l: 0n, b: null },
    ]);
  });
});

/** Staging directories this process still has in the temporary directory. */
async function ownStaging(): Promise<string[]> {
  return (await readdir(tmpdir())).filter((n) => n.startsWith(`loglake-stage-${process.pid}-`));
}

describe("createLakeWriter on hostile values", () => {
  it("reads every staged row with fixed CSV options: a bare CR in the first value decides nothing", async () => {
    // Prepare: CR alone, CR LF and a CR next to quotes and commas, first in the file where DuckDB would sniff.
    const values = ["a\rb", "\r", 'q="\r",', "c\r\nd", "\n\r"];
    const root = await mkdtemp(join(tmpdir(), "lake-"));
    await withDuckDb(async (db) => {
      const writer = await createLakeWriter({
        db,
        publish: (rel, local) => new LocalLakeStore(root).putFile(rel, local),
      });
      // Act
      for (const [i, s] of values.entries()) {
        await writer.sink.write(table, { ...lineage, source_line: i + 1, event_time: "2024-03-01T00:00:00Z", s });
      }
      const { files } = await writer.finish("cr");
      await db.run(toDuckDbView(table, root));
      const back = await db.runAndReadAll("SELECT s FROM writer_probe ORDER BY source_line");
      // Assess
      expect(files).toStrictEqual(["writer_probe/dt=2024-03-01/hour=00/cr-0-0.parquet"]);
      expect(back.getRowObjectsJson().map((r) => r.s)).toStrictEqual(values);
    });
  });

  it("keeps text holding the staging delimiter and quote (U+001F, U+001E), commas, quotes and empty strings", async () => {
    // Prepare: the staging dialect's own characters, alone, doubled and next to each other, in text and JSON columns.
    const values: [string | null, string | null][] = [
      ["\u001f", '{"k":"\\u001f"}'],
      ["\u001e", '"\\u001e"'],
      ["a\u001e\u001eb\u001fc", '{"a":"b,\\"c"}'],
      ["", "[]"],
      ['"', null],
      [null, '""'],
      [",\u001e,\n", "{}"],
    ];
    const root = await mkdtemp(join(tmpdir(), "lake-"));
    await withDuckDb(async (db) => {
      const writer = await createLakeWriter({
        db,
        publish: (rel, local) => new LocalLakeStore(root).putFile(rel, local),
      });
      // Act
      for (const [i, [s, j]] of values.entries()) {
        await writer.sink.write(table, { ...lineage, source_line: i + 1, event_time: "2024-03-01T00:00:00Z", s, j });
      }
      await writer.finish("dialect");
      await db.run(toDuckDbView(table, root));
      const back = await db.runAndReadAll("SELECT s, j FROM writer_probe ORDER BY source_line");
      // Assess
      expect(back.getRows()).toStrictEqual(values);
    });
  });

  it("refuses a row over the limit counted as comma-separated text with doubled quotes", async () => {
    // Prepare: 600,000 quotes stage as 600,000 characters, but count as 1,200,002 (doubled, and quoted).
    const root = await mkdtemp(join(tmpdir(), "lake-"));
    const refused = await withDuckDb(async (db) => {
      const writer = await createLakeWriter({
        db,
        publish: (rel, local) => new LocalLakeStore(root).putFile(rel, local),
      });
      // Act
      const thrown = await Promise.resolve()
        .then(() =>
          writer.sink.write(table, { ...lineage, event_time: "2024-03-01T00:00:00Z", s: '"'.repeat(600_000) }),
        )
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      await writer.abort();
      return thrown;
    });
    // Assess: 20 + 1,200,002 + 17 + 1 + 20 characters of values, 13 commas and `,2024-03-01,00`.
    expect(refused).toBeInstanceOf(RowRejectedError);
    expect((refused as RowRejectedError).reason).toBe("too_large");
    expect((refused as Error).message).toBe("row is 1200087 characters, over the 1048576 limit");
  });

  it("refuses rows DuckDB cannot convert as a whole, publishes nothing and leaves no staging behind", async () => {
    // Prepare: 3,000,000,000 does not fit the INT32 column; the rows after it must still be accepted (and dropped).
    const root = await mkdtemp(join(tmpdir(), "lake-"));
    const store = new LocalLakeStore(root);
    // Act
    const failure = await withDuckDb(async (db) => {
      const writer = await createLakeWriter({ db, publish: (rel, local) => store.putFile(rel, local), rowsPerFile: 1 });
      for (const [i, r] of rows.entries()) await writer.sink.write(table, { ...r, i: i === 0 ? 3_000_000_000 : r.i });
      return writer.finish("bad").then(
        () => undefined,
        (e: unknown) => e,
      );
    });
    // Assess
    expect(failure).toBeInstanceOf(WriteFailedError);
    expect((failure as Error).message).toBe(
      `writer_probe: Conversion Error: CSV Error on Line: 1: Error when converting column "i". Could not convert string "3000000000" to 'INTEGER'`,
    );
    expect(await store.list("")).toStrictEqual([]);
    expect(await ownStaging()).toStrictEqual([]);
  });

  it("stages under a temporary directory whose path is a glob pattern", async () => {
    // Prepare: DuckDB would expand `[1]` and `*` in the staging path if they reached it unescaped.
    const tmp = join(await mkdtemp(join(tmpdir(), "glob-")), "st[1]*");
    await mkdir(tmp);
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = tmp;
    try {
      // Act
      const { files } = await writeProbe();
      // Assess
      expect(files).toHaveLength(2);
      expect((await readdir(tmp)).filter((n) => n.startsWith("loglake-"))).toStrictEqual([]);
    } finally {
      process.env.TMPDIR = saved;
    }
  });
});
