import { glueDatabaseName, glueTableArgs, PARQUET_FORMAT } from "@app/core/infra/glue";
import { partitionPath } from "@app/core/lake-layout";
import { toGlueColumns } from "@app/core/schema/glue";
import { TABLES } from "@app/core/sources/index";
import { describe, expect, it } from "vitest";

const input = {
  databaseName: "loglake_prod",
  bucket: "loglake-prod-lake",
  lakePrefix: "",
  projectionStart: "2020-01-01",
};

describe("glueDatabaseName", () => {
  it("makes an Athena-safe lowercase name per stage", () => {
    expect(glueDatabaseName("loglake", "pr-42")).toBe("loglake_pr_42");
    expect(glueDatabaseName("LogLake", "Production")).toBe("loglake_production");
  });
});

describe.each(TABLES.map((t) => [t.name, t] as const))("glueTableArgs(%s)", (name, table) => {
  const args = glueTableArgs(table, input);

  it("is an external Parquet table read through the Parquet SerDe", () => {
    expect(args.tableType).toBe("EXTERNAL_TABLE");
    expect(args.storageDescriptor.inputFormat).toBe(PARQUET_FORMAT.inputFormat);
    expect(args.storageDescriptor.outputFormat).toBe(PARQUET_FORMAT.outputFormat);
    expect(args.storageDescriptor.serDeInfo.serializationLibrary).toBe(
      "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
    );
    expect(args.parameters.classification).toBe("parquet");
  });

  it("has exactly the schema's columns, in order, each with its description as comment", () => {
    expect(args.storageDescriptor.columns).toStrictEqual(toGlueColumns(table));
    expect(args.storageDescriptor.columns.map((c) => c.name)).toStrictEqual(Object.keys(table.columns));
    for (const c of args.storageDescriptor.columns) expect(c.comment.length, c.name).toBeGreaterThan(0);
  });

  it("is partitioned by dt (string) and hour (int)", () => {
    expect(args.partitionKeys.map((k) => [k.name, k.type])).toStrictEqual([
      ["dt", "string"],
      ["hour", "int"],
    ]);
  });

  it("projects dt as yyyy-MM-dd dates from the fixed start to NOW and hour as 00-23", () => {
    expect(args.parameters).toMatchObject({
      "projection.enabled": "true",
      "projection.dt.type": "date",
      "projection.dt.format": "yyyy-MM-dd",
      "projection.dt.range": "2020-01-01,NOW",
      "projection.hour.type": "integer",
      "projection.hour.range": "0,23",
      "projection.hour.digits": "2",
    });
  });

  it("locates partitions exactly where the lake writer puts them", () => {
    const location = `s3://loglake-prod-lake/${name}/`;
    expect(args.storageDescriptor.location).toBe(location);
    const iso = "2024-03-09T07:05:00Z";
    const projected = args.parameters["storage.location.template"]
      ?.replace("$" + "{dt}", "2024-03-09")
      .replace("$" + "{hour}", "07");
    expect(projected).toBe(`${location}${partitionPath(iso)}/`);
  });
});

describe("glueTableArgs with a lake prefix", () => {
  it("puts the table under the prefix", () => {
    const [table] = TABLES;
    if (!table) throw new Error("no tables registered");
    expect(glueTableArgs(table, { ...input, lakePrefix: "lake/" }).storageDescriptor.location).toBe(
      `s3://loglake-prod-lake/lake/${table.name}/`,
    );
  });
});
