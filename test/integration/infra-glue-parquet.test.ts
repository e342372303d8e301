import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { glueTableArgs } from "@app/core/infra/glue";
import type { LogicalType } from "@app/core/schema/column";
import { toParquetSchema } from "@app/core/schema/parquet";
import type { TableDef } from "@app/core/schema/table";
import { TABLES } from "@app/core/sources/index";
import { LocalLakeStore } from "@app/lake/store";
import { createLakeWriter } from "@app/lake/writer";
import { parquetMetadata } from "hyparquet";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withDuckDb } from "../helpers/duckdb.ts";

// The oracle is Athena's documented Parquet-to-Hive mapping, written out independently of TYPE_MAP on purpose:
// if TYPE_MAP or the writer drifts, the two disagree here.
type Leaf = { name: string; type?: string; logical_type?: { type: string }; converted_type?: string };
function hiveTypeOf(leaf: Leaf): string {
  const logical = leaf.logical_type?.type;
  if (leaf.type === "BYTE_ARRAY" && (logical === "STRING" || leaf.converted_type === "UTF8")) return "string";
  if (leaf.type === "INT64" && logical === "TIMESTAMP") return "timestamp";
  if (leaf.type === "INT64" && logical === undefined) return "bigint";
  if (leaf.type === "INT32" && logical === undefined) return "int";
  if (leaf.type === "DOUBLE") return "double";
  if (leaf.type === "BOOLEAN") return "boolean";
  return `unmapped ${leaf.type}/${logical ?? leaf.converted_type ?? "-"}`;
}

const SAMPLE: Record<LogicalType, unknown> = {
  string: "x",
  int32: 1,
  int64: 2,
  double: 1.5,
  boolean: true,
  timestamp: "2024-03-09T07:05:00Z",
  json: "{}",
};

const glue = (table: TableDef) =>
  glueTableArgs(table, { databaseName: "loglake_test", bucket: "lake", lakePrefix: "", projectionStart: "2020-01-01" });

let root: string;
const written = new Map<string, { path: string; leaves: Leaf[] }>();

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "loglake-glue-"));
  const store = new LocalLakeStore(root);
  const { files } = await withDuckDb(async (db) => {
    const writer = await createLakeWriter({ db, publish: (rel, local) => store.putFile(rel, local) });
    for (const table of TABLES) {
      const row = Object.fromEntries(Object.entries(table.columns).map(([name, col]) => [name, SAMPLE[col.type]]));
      await writer.sink.write(table, row);
    }
    return writer.finish("glue-check");
  });
  for (const file of files) {
    const buf = await readFile(join(root, file));
    const meta = parquetMetadata(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
    written.set(file.split("/")[0] as string, { path: file, leaves: meta.schema.slice(1) as Leaf[] });
  }
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe.each(TABLES.map((t) => [t.name, t] as const))(
  "Glue table %s against the Parquet the writer writes",
  (name, table) => {
    it("has the writer's columns, in the writer's order, with matching types", () => {
      const file = written.get(name);
      expect(file, `the writer wrote no file for ${name}`).toBeDefined();
      const fromFile = (file?.leaves ?? []).map((l) => [l.name, hiveTypeOf(l)]);
      const fromGlue = glue(table).storageDescriptor.columns.map((c) => [c.name, c.type]);
      expect(fromGlue).toStrictEqual(fromFile);
    });

    it("names the same columns as the writer's declared Parquet schema", () => {
      expect(glue(table).storageDescriptor.columns.map((c) => c.name)).toStrictEqual(
        toParquetSchema(table).map((c) => c.name),
      );
    });

    it("finds the file where its partition projection points", () => {
      const template = glue(table).parameters["storage.location.template"] ?? "";
      const projected = template
        .replace("$" + "{dt}", "2024-03-09")
        .replace("$" + "{hour}", "07")
        .replace("s3://lake/", "");
      expect(written.get(name)?.path.startsWith(projected)).toBe(true);
    });
  },
);
