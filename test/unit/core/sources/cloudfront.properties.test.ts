import { ingestObject, type RowSink } from "@app/core/ingest/pipeline";
import { lineageColumns, type TableDef } from "@app/core/schema/table";
import { STANDARD_FIELDS } from "@app/core/sources/cloudfront/fields";
import { cloudfrontRealtimeSource, cloudfrontSource } from "@app/core/sources/cloudfront/index";
import { DEFAULT_REALTIME_FIELDS } from "@app/core/sources/cloudfront/parse";
import { cloudfrontRealtimeTable, cloudfrontTable } from "@app/core/sources/cloudfront/schema";
import { converterFor, decodeField } from "@app/core/sources/cloudfront/values";
import type { LogSource, ParseEvent } from "@app/core/sources/types";
import { isIsoUtc } from "@app/core/time";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

const RUNS = { numRuns: 200 };
// Generous: the machine running the suite may be shared; 200 runs take about 3 s when it is not.
const TIMEOUT = 60_000;

/** Lines as the parsers count them: split on \n, a final newline does not start another line. */
function lineCount(text: string): number {
  if (text.length === 0) return 0;
  return text.split("\n").length - (text.endsWith("\n") ? 1 : 0);
}

/** Cuts text into chunks at the given fractions, so line and field boundaries fall anywhere. */
function chunked(text: string, cuts: number[]): string[] {
  const points = [...new Set(cuts.map((c) => Math.floor(c * text.length)))].sort((a, b) => a - b);
  const out: string[] = [];
  let from = 0;
  for (const p of points) {
    out.push(text.slice(from, p));
    from = p;
  }
  out.push(text.slice(from));
  return out;
}

async function parseAll(source: LogSource, chunks: string[], fields?: readonly string[]): Promise<ParseEvent[]> {
  async function* text() {
    yield* chunks;
  }
  const ctx = {
    key: "E2QWRUHAPOMQZL.2019-12-04-21.a1b2c3d4.gz",
    sourceObject: "prop",
    options: { realtimeFields: fields },
  };
  const events: ParseEvent[] = [];
  for await (const ev of source.parse(text(), ctx)) events.push(ev);
  return events;
}

/** Fails with the column named when a row has a column the table lacks, misses one, or holds a mistyped value. */
function expectRowFitsTable(table: TableDef, row: Record<string, unknown>): void {
  const columns = Object.keys(table.columns).filter((c) => !(c in lineageColumns));
  expect(Object.keys(row)).toStrictEqual(columns);
  for (const c of columns) {
    const def = table.columns[c];
    const v = row[c];
    const where = `${table.name}.${c} = ${JSON.stringify(v)}`;
    if (v === null) {
      expect(def?.nullable, where).toBe(true);
      continue;
    }
    switch (def?.type) {
      case "string":
        expect(typeof v, where).toBe("string");
        break;
      case "json":
        expect(typeof v, where).toBe("string");
        expect(typeof JSON.parse(v as string), where).toBe("object");
        break;
      case "int32":
        expect(Number.isInteger(v) && (v as number) >= -(2 ** 31) && (v as number) < 2 ** 31, where).toBe(true);
        break;
      case "int64":
        expect(Number.isSafeInteger(v), where).toBe(true);
        break;
      case "double":
        expect(typeof v === "number" && Number.isFinite(v), where).toBe(true);
        break;
      case "timestamp":
        expect(typeof v === "string" && isIsoUtc(v), where).toBe(true);
        break;
      default:
        expect.unreachable(`${where}: unexpected column type ${def?.type}`);
    }
  }
}

// Field values: mostly plausible for their type (19 in 20), otherwise "-", out of range or garbage.
const noBreaks = (s: string) => !/[\t\n\r]/.test(s);
const garbage = fc.string({ maxLength: 12 }).filter(noBreaks);
const mostly = (good: fc.Arbitrary<string>, bad: fc.Arbitrary<string>) =>
  fc.oneof({ weight: 19, arbitrary: good }, { weight: 1, arbitrary: bad });
const encoded = fc.string({ unit: "grapheme", maxLength: 12 }).map((s) => encodeURIComponent(s));
const anyText = fc.oneof(garbage, encoded, fc.constantFrom("-", "", "%", "%2520", "%E0%A4%A", "100%25"));
const intText = mostly(
  fc.oneof(fc.nat().map(String), fc.constantFrom("000", "-")),
  fc.oneof(fc.constantFrom("99999999999", "12a", "-1"), garbage),
);
const doubleText = mostly(
  fc.oneof(
    fc.tuple(fc.nat(99999), fc.nat(999)).map(([a, b]) => `${a}.${String(b).padStart(3, "0")}`),
    fc.constantFrom("-", "0.000"),
  ),
  fc.constantFrom("fast", "1e3", "."),
);
const dateText = mostly(
  fc
    .date({ min: new Date("1970-01-01T00:00:00Z"), max: new Date("9999-12-31T23:59:59Z"), noInvalidDate: true })
    .map((d) => d.toISOString().slice(0, 10)),
  fc.constantFrom("2019-02-30", "2019-13-01", "-"),
);
const timeText = mostly(
  fc.tuple(fc.nat(23), fc.nat(59), fc.nat(59)).map((p) => p.map((n) => String(n).padStart(2, "0")).join(":")),
  fc.constantFrom("24:00:00", "12:60:00", "-"),
);
const epochText = mostly(
  fc
    .tuple(fc.integer({ min: 0, max: 253402300799 }), fc.nat(999))
    .map(([s, ms]) => `${s}.${String(ms).padStart(3, "0")}`),
  fc.constantFrom("1600299221.1234567", "x", "-"),
);

const INTS = new Set(["sc-bytes", "sc-status", "cs-bytes", "fle-encrypted-fields", "c-port", "sc-content-len"]);
const INTS_RT = new Set([...INTS, "sc-range-start", "sc-range-end", "cs-headers-count", "asn"]);
const DOUBLES = new Set(["time-taken", "time-to-first-byte", "origin-fbl", "origin-lbl"]);

function valueFor(field: string, ints: Set<string>): fc.Arbitrary<string> {
  if (field === "date") return dateText;
  if (field === "time") return timeText;
  if (field === "timestamp") return epochText;
  if (ints.has(field)) return intText;
  if (DOUBLES.has(field)) return doubleText;
  return anyText;
}

const W3C_NAMES = [
  ...STANDARD_FIELDS.map((f) => f.replace(/^cs-(host|referer|user-agent|cookie)$/, (_, h: string) => `cs(${h})`)),
  "c-country",
  "asn",
  "x-future-field",
];

/** A standard log: a #Fields header with a random field subset (date and time somewhere), then lines for it. */
const standardLog = fc.tuple(fc.shuffledSubarray(W3C_NAMES), fc.nat(), fc.nat()).chain(([subset, i, j]) => {
  const fields = [...subset];
  fields.splice(i % (fields.length + 1), 0, "date");
  fields.splice(j % (fields.length + 1), 0, "time");
  const line = fc.tuple(...fields.map((f) => valueFor(f, INTS))).map((v) => v.join("\t"));
  return fc
    .array(fc.oneof({ weight: 8, arbitrary: line }, { weight: 1, arbitrary: fc.constantFrom("", "#Remark") }), {
      maxLength: 20,
    })
    .map((lines) => `#Version: 1.0\n#Fields: ${fields.join(" ")}\n${lines.join("\n")}\n`);
});

/** v2 JSON lines with known and unknown keys and arbitrary JSON values. */
const jsonLog = fc
  .array(
    fc.dictionary(
      fc.oneof(fc.constantFrom(...W3C_NAMES, "date", "time", "timestamp(ms)"), fc.string()),
      fc.jsonValue(),
      {
        maxKeys: 8,
      },
    ),
    { maxLength: 10 },
  )
  .map((records) => records.map((r) => JSON.stringify(r)).join("\n"));

/** Real-time records for a random configured field list (timestamp somewhere in it). */
const realtimeLog = fc
  .tuple(fc.shuffledSubarray([...DEFAULT_REALTIME_FIELDS.slice(1), "cmcd-session-id"]), fc.nat())
  .chain(([subset, i]) => {
    const fields = [...subset];
    fields.splice(i % (fields.length + 1), 0, "timestamp");
    const line = fc.tuple(...fields.map((f) => valueFor(f, INTS_RT))).map((v) => v.join("\t"));
    return fc.array(line, { maxLength: 15 }).map((lines) => ({ fields, text: lines.join("\n") }));
  });

const cuts = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 6 });

describe("CloudFront parsers (properties)", () => {
  it(
    "yield exactly one event per line, numbered 1..n, for arbitrary text in arbitrary chunks",
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.oneof(fc.string({ unit: "binary" }), standardLog, jsonLog), cuts, async (text, at) => {
          for (const source of [cloudfrontSource, cloudfrontRealtimeSource]) {
            const events = await parseAll(source, chunked(text, at));
            expect(events.map((e) => e.line)).toStrictEqual(Array.from({ length: lineCount(text) }, (_, k) => k + 1));
          }
        }),
        RUNS,
      );
    },
    TIMEOUT,
  );

  it(
    "emit standard rows whose columns and value types are exactly the table's",
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.oneof(standardLog, jsonLog), cuts, async (text, at) => {
          for (const ev of await parseAll(cloudfrontSource, chunked(text, at))) {
            if (ev.kind === "row") {
              expect(ev.table).toBe(cloudfrontTable);
              expectRowFitsTable(cloudfrontTable, ev.row);
            }
          }
        }),
        RUNS,
      );
    },
    TIMEOUT,
  );

  it(
    "emit real-time rows whose columns and value types are exactly the table's",
    async () => {
      await fc.assert(
        fc.asyncProperty(realtimeLog, cuts, async ({ fields, text }, at) => {
          const events = await parseAll(cloudfrontRealtimeSource, chunked(text, at), fields);
          expect(events).toHaveLength(lineCount(text));
          for (const ev of events) {
            if (ev.kind === "row") {
              expect(ev.table).toBe(cloudfrontRealtimeTable);
              expectRowFitsTable(cloudfrontRealtimeTable, ev.row);
            }
          }
        }),
        RUNS,
      );
    },
    TIMEOUT,
  );

  it(
    "never make ingestObject throw, and account for every record, on arbitrary bytes",
    async () => {
      const gzipLike = fc.uint8Array({ maxLength: 200 }).map((b) => Uint8Array.from([0x1f, 0x8b, ...b]));
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(fc.uint8Array({ maxLength: 400 }), gzipLike),
          fc.constantFrom(undefined, "cloudfront" as const, "cloudfront_realtime" as const),
          async (bytes, forced) => {
            let written = 0;
            const sink: RowSink = {
              write() {
                written++;
              },
            };
            const summary = await ingestObject({
              sources: [cloudfrontSource, cloudfrontRealtimeSource],
              bytes: (async function* () {
                yield bytes;
              })(),
              context: { key: "E2QWRUHAPOMQZL.2019-12-04-21.a1b2c3d4.gz", options: {} },
              lineage: { sourceObject: "prop", ingestTime: "2024-01-01T00:00:00Z" },
              sink,
              forced,
            });
            const sum = (o: object) => Object.values(o).reduce((a: number, b: number) => a + b, 0);
            expect(summary.records).toBe(sum(summary.rows) + sum(summary.quarantined) + sum(summary.skipped));
            expect(written).toBe(sum(summary.rows) + sum(summary.quarantined));
          },
        ),
        RUNS,
      );
    },
    TIMEOUT,
  );

  it(
    "decode a URL-encoded value exactly once and never throw on malformed escapes",
    () => {
      fc.assert(
        fc.property(
          fc.string({ unit: "grapheme" }).filter((s) => s !== "-" && s !== ""),
          (s) => {
            expect(decodeField(encodeURIComponent(s))).toBe(s);
            expect(decodeField(encodeURIComponent(encodeURIComponent(s)))).toBe(encodeURIComponent(s));
          },
        ),
        RUNS,
      );
      fc.assert(
        fc.property(fc.string({ unit: "binary" }), (s) => {
          expect(() => decodeField(s)).not.toThrow();
        }),
        RUNS,
      );
    },
    TIMEOUT,
  );

  it(
    "read decimals exactly as Number() does",
    () => {
      const double = converterFor("double");
      fc.assert(
        fc.property(fc.stringMatching(/^-?\d{1,12}(\.\d{1,6})?$/), (s) => {
          expect(double(s, 0, s.length)).toBe(Number(s));
        }),
        RUNS,
      );
    },
    TIMEOUT,
  );
});
