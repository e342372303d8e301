import { readFileSync } from "node:fs";
import { gunzipSync, gzipSync } from "node:zlib";
import { ingestObject, RowRejectedError, type RowSink } from "@app/core/ingest/pipeline";
import { SOURCES } from "@app/core/sources/index";
import type { SourceId } from "@app/core/sources/types";
import { describe, expect, it } from "vitest";
import { chunked } from "../../../helpers/source-fixtures.ts";

// Damaged, oversized and unusually framed inputs through the real pipeline and every registered source.

const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`../../../fixtures/${name}`, import.meta.url)));
const EVENTS = fixture("ingest/app-events-34.jsonl");
const MEMBERS = fixture("ingest/app-events-34.members.jsonl.gz");
const TRAIL = fixture("sources/cloudtrail/org-trail.json.gz");
const TRAIL_KEY =
  "AWSLogs/o-aa111bb222/111122223333/CloudTrail/us-east-1/2024/05/01/111122223333_CloudTrail_us-east-1_20240501T1010Z_Ab12Cd34Ef56Gh78.json.gz";
const CLOUDFRONT = fixture("sources/cloudfront/aws-sample-33.log");
// A local path naming no source: detection goes by content.
const NEUTRAL_KEY = "/var/tmp/export/events.jsonl";

const bytes = (s: string) => new TextEncoder().encode(s);
const concat = (...parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts));
const splitLines = (b: Uint8Array) => Buffer.from(b).toString("latin1").split("\n");
const fromLines = (ls: string[]) => new Uint8Array(Buffer.from(ls.join("\n"), "latin1"));

async function ingest(
  input: Uint8Array,
  key: string,
  opts: { forced?: SourceId; maxRecordChars?: number; chunk?: number } = {},
) {
  const rows: { table: string; row: Record<string, unknown> }[] = [];
  const sink: RowSink = {
    write(table, row) {
      // As the lake writer does, rows over 1 MiB are refused.
      if (JSON.stringify(row).length > 1024 * 1024) throw new RowRejectedError("too_large", "row over 1 MiB");
      rows.push({ table: table.name, row: { ...row } });
    },
  };
  const summary = await ingestObject({
    sources: SOURCES,
    bytes: chunked(input, opts.chunk ?? 64 * 1024),
    context: { key, options: {} },
    lineage: { sourceObject: key, ingestTime: "2025-06-13T00:00:00Z" },
    sink,
    forced: opts.forced,
    maxRecordChars: opts.maxRecordChars,
  });
  const quarantine = rows
    .filter((r) => r.table === "quarantine")
    .map((r) => [r.row.source_line, r.row.reason, r.row.message]);
  const lines = (table: string) => rows.filter((r) => r.table === table).map((r) => r.row.source_line);
  return { summary, rows, quarantine, lines };
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe("detection past a damaged first line", () => {
  const [first = "", ...rest] = splitLines(EVENTS);
  const flipped = String.fromCharCode(first.charCodeAt(0) ^ 1) + first.slice(1);
  it.each([
    ["NUL bytes", `\0`.repeat(16) + first, "bad_json", {}],
    ["a flipped bit", flipped, "bad_json", {}],
    ["a UTF-16 byte order mark", `\xff\xfe${first}`, "bad_json", { invalid_utf8: 2 }],
    ["an invalid UTF-8 byte", `\xff${first.slice(1)}`, "bad_json", { invalid_utf8: 1 }],
    ["a 5 MB line", `{"timestamp":"2025-06-12T09:59:59Z","message":"${"x".repeat(5_000_000)}"}`, "too_large", {}],
  ])("finds the app log behind %s and accounts for all 34 lines", async (_name, damaged, reason, flags) => {
    // Act
    const r = await ingest(fromLines([damaged, ...rest]), NEUTRAL_KEY);
    // Assess
    expect(r.summary).toStrictEqual({
      source: "app_json",
      records: 34,
      rows: { app_events: 33 },
      quarantined: { [reason]: 1 },
      skipped: {},
      ...(Object.keys(flags).length > 0 ? { flags, flagged_lines: { invalid_utf8: [1] } } : {}),
    });
    expect(r.quarantine.map((q) => q[0])).toStrictEqual([1]);
    expect(r.lines("app_events")).toStrictEqual(range(2, 34));
  });

  it("drops a leading UTF-8 byte order mark", async () => {
    const r = await ingest(concat(new Uint8Array([0xef, 0xbb, 0xbf]), EVENTS), NEUTRAL_KEY);
    expect(r.summary).toStrictEqual({
      source: "app_json",
      records: 34,
      rows: { app_events: 34 },
      quarantined: {},
      skipped: {},
    });
  });

  it("goes by a parent folder that names a source when no line is readable, quarantining each line", async () => {
    const text = bytes("\0\0\0\nnot json\n");
    const byFolder = await ingest(text, "/srv/logs/apps/auth/2025/events.jsonl");
    expect([byFolder.summary.source, byFolder.quarantine]).toStrictEqual([
      "app_json",
      [
        [1, "bad_json", "line is not JSON"],
        [2, "bad_json", "line is not JSON"],
      ],
    ]);
    const neutral = await ingest(text, NEUTRAL_KEY);
    expect([neutral.summary.source, neutral.summary.quarantined]).toStrictEqual(["unknown", { unknown_source: 1 }]);
  });
});

describe("gzip as tools write it", () => {
  it("keeps every record of members followed by trailing bytes and records how many there were", async () => {
    const r = await ingest(concat(TRAIL, TRAIL, bytes("\n\n")), TRAIL_KEY, { chunk: 333 });
    expect(r.summary).toStrictEqual({
      source: "cloudtrail",
      records: 12,
      rows: { cloudtrail: 12 },
      quarantined: {},
      skipped: {},
      flags: { trailing_bytes: 2 },
    });
    const app = await ingest(MEMBERS, NEUTRAL_KEY, { chunk: 100 });
    expect([app.summary.rows, app.summary.quarantined, app.summary.flags]).toStrictEqual([
      { app_events: 34 },
      {},
      { trailing_bytes: 2 },
    ]);
    expect(app.lines("app_events")).toStrictEqual(range(1, 34));
  });
});

describe("saying what was not clean", () => {
  it("keeps records with invalid UTF-8 and lists their lines", async () => {
    const ls = splitLines(EVENTS);
    ls[3] = (ls[3] ?? "").replace("sign-in", "sign-\xe9n");
    ls[8] = (ls[8] ?? "").replace("admin-console", "admin-c\xf6nsole");
    const r = await ingest(fromLines(ls), NEUTRAL_KEY);
    expect(r.summary).toStrictEqual({
      source: "app_json",
      records: 34,
      rows: { app_events: 34 },
      quarantined: {},
      skipped: {},
      flags: { invalid_utf8: 2 },
      flagged_lines: { invalid_utf8: [4, 9] },
    });
    expect(r.rows.find((x) => x.row.source_line === 4)?.row.message).toBe("user sign-\uFFFDn");
  });

  it("counts a Records array that never closes as truncated, after its last record", async () => {
    const text = gunzipSync(TRAIL).toString("utf8");
    const cut = bytes(text.slice(0, text.lastIndexOf("}") + 1).replace(/\]\}$/, ""));
    const r = await ingest(cut, TRAIL_KEY);
    expect([r.summary.rows, r.summary.quarantined, r.quarantine]).toStrictEqual([
      { cloudtrail: 6 },
      { truncated: 1 },
      [[7, "truncated", "input ends inside the records array, after record 6"]],
    ]);
  });
});

describe("records spanning lines", () => {
  it("reads pretty-printed app events as one record each, numbered by their first line", async () => {
    const events = splitLines(EVENTS)
      .slice(0, 3)
      .map((l) => JSON.stringify(JSON.parse(l), null, 2));
    const r = await ingest(bytes(`${events.join("\n")}\n`), NEUTRAL_KEY, { chunk: 50 });
    const starts = [1, 1 + (events[0] ?? "").split("\n").length];
    starts.push((starts[1] ?? 0) + (events[1] ?? "").split("\n").length);
    expect([r.summary.source, r.summary.records, r.summary.rows, r.lines("app_events")]).toStrictEqual([
      "app_json",
      3,
      { app_events: 3 },
      starts,
    ]);
  });
});

describe("records over the size limit", () => {
  const limit = 256 * 1024;

  it.each<[string, Uint8Array, string, SourceId | undefined, number]>([
    [
      "an app JSON line",
      bytes(`{"timestamp":"2025-06-12T10:00:00Z","message":"${"a".repeat(3_000_000)}"}\n${splitLines(EVENTS)[1]}\n`),
      NEUTRAL_KEY,
      "app_json",
      1,
    ],
    [
      "a CloudFront line",
      (() => {
        const ls = splitLines(CLOUDFRONT);
        ls.splice(3, 0, "b".repeat(3_000_000));
        return fromLines(ls);
      })(),
      "cf-logs/E2QWRUHAPOMQZL.2019-12-13-22.6c8f2d1e.gz",
      undefined,
      4,
    ],
    [
      "a CloudTrail record",
      (() => {
        const text = gunzipSync(TRAIL).toString("utf8");
        return bytes(
          text.replace('{"Records":[', `{"Records":[{"eventVersion":"1.08","x":"${"c".repeat(3_000_000)}"},`),
        );
      })(),
      TRAIL_KEY,
      undefined,
      1,
    ],
  ])("quarantines %s as too_large with its head, and reads on", async (_name, input, key, forced, line) => {
    const whole = await ingest(input, key, { forced, maxRecordChars: limit, chunk: 1 << 20 });
    const small = await ingest(input, key, { forced, maxRecordChars: limit, chunk: 4096 });
    const q = whole.rows.find((x) => x.row.reason === "too_large")?.row;
    expect([q?.source_line, String(q?.raw).length, q?.raw_truncated]).toStrictEqual([line, 65_536, true]);
    expect(whole.summary.quarantined).toStrictEqual({ too_large: 1 });
    expect(whole.summary.records).toBeGreaterThan(1);
    expect([small.summary, small.rows]).toStrictEqual([whole.summary, whole.rows]);
  });

  it("skips the one line of a thousandfold gzip bomb to its end and keeps the line after it", async () => {
    const line = `{"timestamp":"2025-06-12T10:00:00Z","message":"${"A".repeat(64 * 1024 * 1024)}"}`;
    const bomb = gzipSync(`${line}\n${splitLines(EVENTS)[0]}\n`, { level: 9 });
    expect(bomb.length * 1000).toBeLessThan(line.length);
    const r = await ingest(bomb, NEUTRAL_KEY, { forced: "app_json", maxRecordChars: limit, chunk: 1 << 20 });
    expect([r.summary.records, r.summary.rows, r.quarantine]).toStrictEqual([
      2,
      { app_events: 1 },
      [[1, "too_large", "record exceeds the size limit"]],
    ]);
  });
});
