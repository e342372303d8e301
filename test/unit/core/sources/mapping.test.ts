/**
 * The schema drives the mapping: a column added to a table definition, with `from`, is filled without any other
 * change. Each case copies a registered table, adds one column line and maps input with the copy.
 */

import { column } from "@app/core/schema/column";
import { type ColumnMap, defineTable, lineageColumns, type TableDef } from "@app/core/schema/table";
import { toAppEventRow } from "@app/core/sources/app-json/parse";
import { appEventsTable } from "@app/core/sources/app-json/schema";
import { linePlan, tableFields } from "@app/core/sources/cloudfront/plan";
import { cloudfrontTable } from "@app/core/sources/cloudfront/schema";
import { toCloudTrailRow } from "@app/core/sources/cloudtrail/parse";
import { cloudtrailTable } from "@app/core/sources/cloudtrail/schema";
import { JsonRecord } from "@app/core/sources/json-record";
import { recordMapper } from "@app/core/sources/mapping";
import { describe, expect, it } from "vitest";

/** A copy of a registered table with extra columns, as if they were one more line in its schema. */
function withColumns(table: TableDef, added: ColumnMap): TableDef {
  const own = Object.fromEntries(Object.entries(table.columns).filter(([k]) => !Object.hasOwn(lineageColumns, k)));
  return defineTable({ ...table, name: `${table.name}_scratch`, columns: { ...own, ...added } });
}

function record(text: string): JsonRecord {
  const rec = JsonRecord.parse(text);
  if (typeof rec === "string") throw new Error(`not a JSON object: ${text}`);
  return rec;
}

const trail = record(
  JSON.stringify({
    eventVersion: "1.09",
    eventTime: "2024-05-01T10:00:00Z",
    eventSource: "s3.amazonaws.com",
    eventName: "GetObject",
    tlsDetails: { tlsVersion: "TLSv1.3", cipherSuite: "TLS_AES_128_GCM_SHA256" },
    vpcEndpointAccountId: "444455556666",
    sessionCredentialFromConsole: "true",
  }),
);

describe("a column added to a table's schema", () => {
  it("fills a new CloudTrail column from a nested path and from a top-level field that leaves extra", () => {
    // Prepare
    const scratch = withColumns(cloudtrailTable, {
      tls_version: column.string("tlsDetails.tlsVersion", { from: "tlsDetails.tlsVersion" }),
      vpc_endpoint_account_id: column.string("vpcEndpointAccountId", { from: "vpcEndpointAccountId" }),
    });
    const before = toCloudTrailRow(trail);
    // Act
    const after = recordMapper(scratch)(trail);
    // Assess
    expect(before.ok && before.row.extra).toBe('{"vpcEndpointAccountId":"444455556666"}');
    expect(after).toStrictEqual({
      ok: true,
      row: {
        ...(before.ok ? before.row : {}),
        extra: null,
        tls_version: "TLSv1.3",
        vpc_endpoint_account_id: "444455556666",
      },
    });
  });

  it("fills a new app column from the first of its aliases and keeps the others in attributes", () => {
    // Prepare
    const scratch = withColumns(appEventsTable, {
      session_id: column.string("Session id", { from: ["session_id", "sessionId", "sid"] }),
    });
    const rec = record('{"time":"2024-05-01T10:00:00Z","sessionId":"s-1","sid":"s-2","user":"alice"}');
    const before = toAppEventRow(rec);
    // Act
    const after = recordMapper(scratch)(rec);
    // Assess
    expect(before.ok && before.row.attributes).toBe('{"sessionId":"s-1","sid":"s-2"}');
    expect(after).toStrictEqual({
      ok: true,
      row: { ...(before.ok ? before.row : {}), attributes: '{"sid":"s-2"}', session_id: "s-1" },
    });
  });

  it("gives a new CloudFront field its own column instead of extra", () => {
    // Prepare
    const scratch = withColumns(cloudfrontTable, {
      cmcd_request_id: column.string("CMCD request id", { from: "cmcd-request-id" }),
    });
    const fields = ["date", "time", "x-edge-location", "cmcd-request-id"];
    // Act
    const before = linePlan(fields, tableFields(cloudfrontTable));
    const after = linePlan(fields, tableFields(scratch));
    // Assess
    expect(before.extras).toStrictEqual([{ index: 3, field: "cmcd-request-id" }]);
    expect(after.extras).toStrictEqual([]);
    expect(after.slots.map((s) => [s.index, s.field, s.column, s.type])).toStrictEqual([
      [2, "x-edge-location", "x_edge_location", "string"],
      [3, "cmcd-request-id", "cmcd_request_id", "string"],
    ]);
    const line = "2024-05-01\t10:00:00\tIAD89-C1\tcmcd%2D7";
    const starts = Int32Array.from([0, 11, 20, 29]);
    const ends = Int32Array.from([10, 19, 28, line.length]);
    const row = after.build(line, starts, ends, "2024-05-01T10:00:00Z", "E2EXAMPLE");
    expect(typeof row === "object" && [row.x_edge_location, row.cmcd_request_id, row.extra]).toStrictEqual([
      "IAD89-C1",
      "cmcd-7",
      null,
    ]);
  });
});
