import { installTrinoCompat, TRINO_COMPAT_MACROS } from "@app/lake/compat";
import { openDuckDb } from "@app/lake/duckdb";
import { runPrepared } from "@app/lake/query";
import { describe, expect, it } from "vitest";
import { useDuckDb } from "../helpers/duckdb.ts";

const conn = useDuckDb(async () => {
  const db = await openDuckDb();
  await installTrinoCompat(db);
  // Installing twice must be harmless: openLake and callers may both do it.
  await installTrinoCompat(db);
  return db;
});

async function value(sql: string, values: string[] = []): Promise<unknown> {
  const r = await runPrepared(conn(), `SELECT ${sql} AS v`, values);
  return r.rows[0]?.v;
}

async function text(sql: string): Promise<unknown> {
  return value(`CAST(${sql} AS varchar)`);
}

// Expected values are the examples of the Trino documentation (functions/*.md), unless a comment says otherwise.
describe("Trino compatibility macros", () => {
  it("defines one macro per function the saved queries need", () => {
    expect(TRINO_COMPAT_MACROS.map((m) => m.trino.split("(")[0])).toStrictEqual([
      "regexp_like",
      "approx_percentile",
      "approx_distinct",
      "json_extract_scalar",
      "from_iso8601_timestamp",
      "date_diff",
      "date_add",
      "array_min",
      "sequence",
    ]);
  });

  it.each([
    ["regexp_like('1a 2b 14m', '\\d+b')", true],
    // Contains, not full match; anchors work; NULL in, NULL out.
    ["regexp_like('abc', 'b')", true],
    ["regexp_like('abc', '^b')", false],
    ["regexp_like(NULL, 'b')", null],
    ["regexp_like('ABC', '(?i)abc')", true],
  ])("regexp_like: %s is %s", async (sql, want) => {
    expect(await value(sql)).toBe(want);
  });

  it.each([
    ["date_diff('second', TIMESTAMP '2020-03-01 00:00:00', TIMESTAMP '2020-03-02 00:00:00')", 86400],
    ["date_diff('hour', TIMESTAMP '2020-03-01 00:00:00', TIMESTAMP '2020-03-02 00:00:00')", 24],
    ["date_diff('day', DATE '2020-03-01', DATE '2020-03-02')", 1],
    ["date_diff('millisecond', TIMESTAMP '2020-06-01 12:30:45', TIMESTAMP '2020-06-02 12:30:45.123456')", 86400123],
    // Trino counts whole units elapsed (Joda getDifferenceAsLong); DuckDB's own date_diff would say 1 here.
    ["date_diff('hour', TIMESTAMP '2024-01-01 00:59:00', TIMESTAMP '2024-01-01 01:01:00')", 0],
    ["date_diff('day', TIMESTAMP '2024-01-03 01:00:00', TIMESTAMP '2024-01-01 02:00:00')", -1],
  ])("date_diff: %s = %s", async (sql, want) => {
    expect(await value(sql)).toBe(want);
  });

  it.each([
    ["date_add('second', 86, TIMESTAMP '2020-03-01 00:00:00')", "2020-03-01 00:01:26"],
    ["date_add('hour', 9, TIMESTAMP '2020-03-01 00:00:00')", "2020-03-01 09:00:00"],
    ["date_add('day', -1, TIMESTAMP '2020-03-01 00:00:00')", "2020-02-29 00:00:00"],
    // The operator table: a month added to Oct 31 ends on Nov 30.
    ["date_add('month', 1, TIMESTAMP '2012-10-31 01:00:00')", "2012-11-30 01:00:00"],
    // A date stays a date, so CAST(... AS varchar) gives the partition value in both engines.
    ["date_add('day', -7, DATE '2024-03-08')", "2024-03-01"],
    ["date_add('quarter', 1, DATE '2024-01-31')", "2024-04-30"],
  ])("date_add: %s = %s", async (sql, want) => {
    expect(await text(sql)).toBe(want);
  });

  it("date_add keeps DuckDB's own date_add(date, interval)", async () => {
    expect(await text("date_add(DATE '2024-01-08', INTERVAL 1 DAY)")).toBe("2024-01-09 00:00:00");
  });

  it("date_add refuses a time unit on a date, as Trino does", async () => {
    await expect(value("date_add('hour', 1, DATE '2024-01-08')")).rejects.toThrow(
      "date_add: 'hour' is not a valid unit for a date",
    );
  });

  it("date arithmetic on a parameter gives the same partition string the saved queries compare dt with", async () => {
    expect(await value("CAST(date_add('day', -7, CAST(? AS date)) AS varchar)", ["2024-03-08"])).toBe("2024-03-01");
    expect(await value("CAST(date_add('day', -30, CAST(? AS date)) AS varchar)", ["2024-03-08"])).toBe("2024-02-07");
  });

  it.each([
    ["json_extract_scalar('[1, 2, 3]', '$[2]')", "3"],
    ['json_extract_scalar(\'{"store":{"book":[{"author":"Nigel"}]}}\', \'$.store.book[0].author\')', "Nigel"],
    // Objects, arrays, JSON null, missing paths and invalid JSON give NULL, as in Trino.
    ["json_extract_scalar('{\"a\":{\"b\":1}}', '$.a')", null],
    ["json_extract_scalar('{\"a\":[1]}', '$.a')", null],
    ["json_extract_scalar('{\"a\":null}', '$.a')", null],
    ["json_extract_scalar('{\"a\":1}', '$.b')", null],
    ["json_extract_scalar('not json', '$.a')", null],
    ["json_extract_scalar('{\"a\":true}', '$.a')", "true"],
  ])("json_extract_scalar: %s = %s", async (sql, want) => {
    expect(await value(sql)).toBe(want);
  });

  it.each([
    ["sequence(1, 5)", "[1, 2, 3, 4, 5]"],
    ["sequence(5, 1)", "[5, 4, 3, 2, 1]"],
    ["sequence(DATE '2024-02-28', DATE '2024-03-01')", "[2024-02-28, 2024-02-29, 2024-03-01]"],
    ["sequence(DATE '2024-03-01', DATE '2024-02-28')", "[2024-03-01, 2024-02-29, 2024-02-28]"],
  ])("sequence: %s = %s", async (sql, want) => {
    expect(await text(sql)).toBe(want);
  });

  it("sequence of dates unnests into one row per day (the completeness calendar)", async () => {
    const r = await runPrepared(
      conn(),
      "SELECT CAST(d AS varchar) AS day FROM UNNEST(sequence(CAST(? AS date), CAST(? AS date))) AS t (d)",
      ["2024-02-28", "2024-03-01"],
    );
    expect(r.rows).toStrictEqual([{ day: "2024-02-28" }, { day: "2024-02-29" }, { day: "2024-03-01" }]);
  });

  it("approx_percentile returns a value of the input, per group", async () => {
    const r = await runPrepared(
      conn(),
      "SELECT k, approx_percentile(x, 0.95) AS p95 FROM (VALUES (1, 10.0), (1, 20.0), (1, 2500.0), (2, 5.0)) t (k, x) GROUP BY k ORDER BY k",
      [],
    );
    expect(r.rows).toStrictEqual([
      { k: 1, p95: 2500 },
      { k: 2, p95: 5 },
    ]);
  });

  it("approx_distinct counts distinct values", async () => {
    const r = await runPrepared(conn(), "SELECT approx_distinct(x) AS n FROM (VALUES (1), (2), (2), (NULL)) t (x)", []);
    expect(r.rows).toStrictEqual([{ n: 2 }]);
  });

  it.each([
    ["from_iso8601_timestamp('2020-05-11T11:15:05.055+01:00')", "2020-05-11 10:15:05.055+00"],
    ["from_iso8601_timestamp('2020-05-11')", "2020-05-11 00:00:00+00"],
  ])("from_iso8601_timestamp: %s = %s (session zone UTC)", async (sql, want) => {
    expect(await text(sql)).toBe(want);
  });
});
