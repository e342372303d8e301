import { toDuckDbEmptyView, toDuckDbView } from "@app/core/schema/duckdb";
import { toGlueColumns, toGluePartitionKeys, toGlueProjection } from "@app/core/schema/glue";
import { toParquetSchema } from "@app/core/schema/parquet";
import { TABLES } from "@app/core/sources/index";
import { describe, expect, it } from "vitest";

describe.each(TABLES.map((t) => [t.name, t] as const))("derived schemas of %s", (_name, table) => {
  it("gives Glue columns that match the snapshot", () => {
    expect(toGlueColumns(table)).toMatchSnapshot();
  });

  it("gives a DuckDB view that matches the snapshot", () => {
    expect(toDuckDbView(table, "/lake")).toMatchSnapshot();
  });

  it("lists the same columns, in the same order, in every derived view", () => {
    const names = Object.keys(table.columns);
    expect(toGlueColumns(table).map((c) => c.name)).toStrictEqual(names);
    expect(toParquetSchema(table).map((c) => c.name)).toStrictEqual(names);
    const emptyView = toDuckDbEmptyView(table);
    expect([...emptyView.matchAll(/ AS "([a-z_0-9]+)"/g)].map((m) => m[1])).toStrictEqual([...names, "dt", "hour"]);
  });

  it("keeps every Glue comment within Glue's 255-character limit", () => {
    for (const c of toGlueColumns(table)) expect(c.comment.length).toBeLessThanOrEqual(255);
  });
});

describe("toGluePartitionKeys / toGlueProjection", () => {
  it("projects dt as a date from the start to NOW and every hour 00-23", () => {
    expect(toGluePartitionKeys()).toStrictEqual([
      { name: "dt", type: "string", comment: "Event date in UTC, YYYY-MM-DD" },
      { name: "hour", type: "int", comment: "Event hour in UTC, 00-23" },
    ]);
    expect(toGlueProjection("s3://lake-bucket/cloudtrail", "2024-01-01")).toStrictEqual({
      "projection.enabled": "true",
      "projection.dt.type": "date",
      "projection.dt.format": "yyyy-MM-dd",
      "projection.dt.range": "2024-01-01,NOW",
      "projection.dt.interval": "1",
      "projection.dt.interval.unit": "DAYS",
      "projection.hour.type": "integer",
      "projection.hour.range": "0,23",
      "projection.hour.digits": "2",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Glue's projection template syntax, not JavaScript's.
      "storage.location.template": "s3://lake-bucket/cloudtrail/dt=${dt}/hour=${hour}/",
      classification: "parquet",
      "parquet.compression": "ZSTD",
    });
  });

  it("refuses a start date that is not YYYY-MM-DD", () => {
    expect(() => toGlueProjection("s3://b/t/", "2024/01/01")).toThrow(
      'projection start date must be YYYY-MM-DD, got "2024/01/01"',
    );
  });
});
