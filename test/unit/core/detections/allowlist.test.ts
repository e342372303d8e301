import {
  allowlistJsonLines,
  allowlistRows,
  allowlistTable,
  DEFAULT_DETECTION_SETTINGS,
  toDuckDbConfigView,
} from "@app/core/detections/allowlist";
import { glueConfigTableArgs } from "@app/core/infra/glue";
import { describe, expect, it } from "vitest";

describe("allowlistRows", () => {
  it("gives one row per approved value, sorted and without duplicates, and the two prefixes", () => {
    const rows = allowlistRows({
      ...DEFAULT_DETECTION_SETTINGS,
      approvedAccounts: ["999988887777", "444455556666", "999988887777"],
      approvedPrincipals: ["arn:aws:iam::111122223333:role/deployer"],
      maxPublicPrefix: 24,
    });
    expect(rows).toStrictEqual([
      { kind: "principal", value: "arn:aws:iam::111122223333:role/deployer" },
      { kind: "account", value: "444455556666" },
      { kind: "account", value: "999988887777" },
      { kind: "max_public_prefix", value: "24" },
      { kind: "max_public_prefix_v6", value: "48" },
    ]);
  });
});

describe("allowlistJsonLines", () => {
  it("writes one JSON object per line in column order", () => {
    expect(allowlistJsonLines(allowlistRows(DEFAULT_DETECTION_SETTINGS))).toBe(
      '{"kind":"max_public_prefix","value":"16"}\n{"kind":"max_public_prefix_v6","value":"48"}\n',
    );
  });
});

describe("config table views", () => {
  it("reads the table's JSON file in DuckDB with the registry's column types", () => {
    expect(toDuckDbConfigView(allowlistTable, "/lake/")).toMatchInlineSnapshot(`
      "CREATE OR REPLACE VIEW "detection_allowlist" AS SELECT "kind", "value"
      FROM read_json('/lake/detection_allowlist/*.json', format = 'newline_delimited', columns = {'kind': 'VARCHAR', 'value': 'VARCHAR'})"
    `);
  });

  it("declares the Glue table as newline-delimited JSON without partitions", () => {
    const args = glueConfigTableArgs(allowlistTable, { databaseName: "loglake_dev", bucket: "b", lakePrefix: "p/" });
    expect({ ...args, storageDescriptor: { ...args.storageDescriptor, columns: undefined } }).toMatchInlineSnapshot(`
      {
        "databaseName": "loglake_dev",
        "description": "Allow-lists from loglake.config.ts (detections.*) that detections read: one row per approved value",
        "name": "detection_allowlist",
        "parameters": {
          "EXTERNAL": "TRUE",
          "classification": "json",
        },
        "partitionKeys": [],
        "storageDescriptor": {
          "columns": undefined,
          "compressed": false,
          "inputFormat": "org.apache.hadoop.mapred.TextInputFormat",
          "location": "s3://b/p/detection_allowlist/",
          "outputFormat": "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
          "serDeInfo": {
            "name": "json",
            "parameters": {
              "serialization.format": "1",
            },
            "serializationLibrary": "org.openx.data.jsonserde.JsonSerDe",
          },
        },
        "tableType": "EXTERNAL_TABLE",
      }
    `);
    expect(args.storageDescriptor.columns.map((c) => [c.name, c.type])).toStrictEqual([
      ["kind", "string"],
      ["value", "string"],
    ]);
  });
});
