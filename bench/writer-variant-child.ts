// Other Parquet writers behind the same parser, so the writer choice is a measured row of `npm run bench`:
//   appender: rows appended to a DuckDB table with the Appender API, `COPY … TO` ZSTD Parquet every chunk of rows;
//   hyparquet-writer: rows gathered into column arrays in JavaScript, written by hyparquet-writer (SNAPPY: it ships
//   no ZSTD compressor) every chunk of rows.
// Neither partitions by hour (the bench files each cover one hour or less), so each costs less than the real writer.
// Usage: node --import tsx bench/writer-variant-child.ts <appender|hyparquet-writer> <out-dir> <file>...
// Prints one JSON line: rows written, wall and CPU seconds, peak RSS.
import { createReadStream } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { ingestObject, type RowSink } from "@app/core/ingest/pipeline";
import { quoteIdent, quoteLiteral } from "@app/core/schema/sql";
import type { TableDef } from "@app/core/schema/table";
import { SOURCES } from "@app/core/sources/index";
import { type DuckDBAppender, type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { parquetWriteFile } from "hyparquet-writer";

const CHUNK_ROWS = 122_880;
const [variant, out, ...files] = process.argv.slice(2);
if ((variant !== "appender" && variant !== "hyparquet-writer") || !out || files.length === 0) {
  process.stderr.write("usage: writer-variant-child.ts <appender|hyparquet-writer> <out-dir> <file>...\n");
  process.exit(2);
}
await rm(out, { recursive: true, force: true });
await mkdir(out, { recursive: true });

interface Writer {
  sink: RowSink;
  finish(): Promise<void>;
}

type ColumnType = TableDef["columns"][string]["type"];
const columnsOf = (t: TableDef) => Object.entries(t.columns).map(([name, c]) => ({ name, type: c.type as ColumnType }));

async function appenderWriter(): Promise<Writer> {
  const instance = await DuckDBInstance.create(":memory:", {
    threads: "1",
    autoinstall_known_extensions: "false",
    autoload_known_extensions: "false",
  });
  const db: DuckDBConnection = await instance.connect();
  await db.run("SET preserve_insertion_order = false");
  const duck: Record<ColumnType, string> = {
    string: "VARCHAR",
    json: "VARCHAR",
    int32: "INTEGER",
    int64: "BIGINT",
    double: "DOUBLE",
    boolean: "BOOLEAN",
    // Appended as the parser's ISO text and cast while copying, as the staged CSV is.
    timestamp: "VARCHAR",
  };
  const tables = new Map<string, { appender: DuckDBAppender; cols: ReturnType<typeof columnsOf>; rows: number }>();
  let file = 0;
  const flush = async (name: string) => {
    const t = tables.get(name);
    if (!t || t.rows === 0) return;
    t.appender.flushSync();
    const select = t.cols
      .map((c) =>
        c.type === "timestamp"
          ? `CAST(${quoteIdent(c.name)} AS TIMESTAMP) AS ${quoteIdent(c.name)}`
          : quoteIdent(c.name),
      )
      .join(", ");
    const target = join(out as string, `${name}-${file++}.parquet`);
    await db.run(
      `COPY (SELECT ${select} FROM ${quoteIdent(name)}) TO ${quoteLiteral(target)} (FORMAT parquet, COMPRESSION zstd)`,
    );
    await db.run(`DELETE FROM ${quoteIdent(name)}`);
    t.rows = 0;
  };
  return {
    sink: {
      async write(table, row) {
        let t = tables.get(table.name);
        if (!t) {
          const cols = columnsOf(table);
          await db.run(
            `CREATE TABLE ${quoteIdent(table.name)} (${cols.map((c) => `${quoteIdent(c.name)} ${duck[c.type]}`).join(", ")})`,
          );
          t = { appender: await db.createAppender(table.name), cols, rows: 0 };
          tables.set(table.name, t);
        }
        const a = t.appender;
        for (const c of t.cols) {
          const v = row[c.name];
          if (v == null) a.appendNull();
          else if (c.type === "int32") a.appendInteger(v as number);
          else if (c.type === "int64") a.appendBigInt(BigInt(v as number));
          else if (c.type === "double") a.appendDouble(v as number);
          else if (c.type === "boolean") a.appendBoolean(v as boolean);
          else a.appendVarchar(v as string);
        }
        a.endRow();
        if (++t.rows >= CHUNK_ROWS) await flush(table.name);
      },
    },
    async finish() {
      for (const name of tables.keys()) await flush(name);
      for (const t of tables.values()) t.appender.closeSync();
      db.closeSync();
    },
  };
}

function hyparquetWriter(): Writer {
  const basic: Record<ColumnType, "STRING" | "JSON" | "INT32" | "INT64" | "DOUBLE" | "BOOLEAN" | "TIMESTAMP"> = {
    string: "STRING",
    json: "STRING",
    int32: "INT32",
    int64: "INT64",
    double: "DOUBLE",
    boolean: "BOOLEAN",
    timestamp: "TIMESTAMP",
  };
  const tables = new Map<string, { cols: ReturnType<typeof columnsOf>; data: unknown[][]; rows: number }>();
  let file = 0;
  const flush = (name: string) => {
    const t = tables.get(name);
    if (!t || t.rows === 0) return;
    parquetWriteFile({
      filename: join(out as string, `${name}-${file++}.parquet`),
      columnData: t.cols.map((c, i) => ({ name: c.name, type: basic[c.type], data: t.data[i] as never })),
    });
    t.data = t.cols.map(() => []);
    t.rows = 0;
  };
  return {
    sink: {
      write(table, row) {
        let t = tables.get(table.name);
        if (!t) {
          const cols = columnsOf(table);
          t = { cols, data: cols.map(() => []), rows: 0 };
          tables.set(table.name, t);
        }
        for (const [i, c] of t.cols.entries()) {
          const v = row[c.name];
          const col = t.data[i] as unknown[];
          if (v == null) col.push(null);
          else if (c.type === "int64") col.push(BigInt(v as number));
          else if (c.type === "timestamp") col.push(new Date(v as string));
          else col.push(v);
        }
        if (++t.rows >= CHUNK_ROWS) flush(table.name);
      },
    },
    async finish() {
      for (const name of tables.keys()) flush(name);
    },
  };
}

const cpu0 = process.cpuUsage();
const t0 = performance.now();
const writer = variant === "appender" ? await appenderWriter() : hyparquetWriter();
let rows = 0;
for (const f of files) {
  const summary = await ingestObject({
    sources: SOURCES,
    bytes: createReadStream(f, { highWaterMark: 1 << 20 }),
    context: { key: f, options: {} },
    lineage: { sourceObject: `file://${f}`, ingestTime: "2025-06-02T00:00:00Z" },
    sink: writer.sink,
  });
  rows += Object.values(summary.rows).reduce((a, b) => a + b, 0);
}
await writer.finish();
const wall = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
process.stdout.write(
  `${JSON.stringify({ rows, wall_s: wall, cpu_s: (cpu.user + cpu.system) / 1e6, max_rss_mb: process.resourceUsage().maxRSS / 1024 })}\n`,
);
