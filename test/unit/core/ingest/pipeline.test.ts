import { gzipSync } from "node:zlib";
import { resolveConfig } from "@app/core/config/index";
import { ingestObject, RowRejectedError, type RowSink } from "@app/core/ingest/pipeline";
import { ingestRedaction } from "@app/core/ingest/redaction";
import { lines } from "@app/core/ingest/text";
import { column } from "@app/core/schema/column";
import { defineTable, type TableDef } from "@app/core/schema/table";
import { appJsonSource } from "@app/core/sources/index";
import type { LogSource, ParseEvent } from "@app/core/sources/types";
import { describe, expect, it } from "vitest";

// A minimal line source: "<iso time> <word>" per line; "#" lines are headers. It stands in for real parsers so the
// pipeline's own duties (detection, lineage, quarantine, accounting, corrupt input) are tested in isolation.
const probe = defineTable({
  name: "probe",
  description: "probe",
  timeColumn: "event_time",
  columns: { event_time: column.timestamp("t", { nullable: false }), word: column.string("w") },
});
const probeSource: LogSource = {
  id: "app_json",
  description: "probe",
  tables: [probe],
  delimitedLines: true,
  matchKey: (key) => key.endsWith(".probe"),
  sniff: (head) => head.startsWith("#probe"),
  async *parse(text) {
    for await (const { line, text: l } of lines(text)) {
      if (l.startsWith("#")) yield { kind: "skip", line, skip: "header" } satisfies ParseEvent;
      else if (!l.includes(" "))
        yield { kind: "reject", line, reason: "bad_field_count", message: "one field", raw: l };
      else yield { kind: "row", line, table: probe, row: { event_time: l.split(" ")[0], word: l.split(" ")[1] } };
    }
  },
};

function memorySink(reject?: (row: Record<string, unknown>) => boolean) {
  const rows: { table: string; row: Record<string, unknown> }[] = [];
  const sink: RowSink = {
    write(table: TableDef, row) {
      if (reject?.(row)) throw new RowRejectedError("too_large", "too big for the sink");
      rows.push({ table: table.name, row: { ...row } });
    },
  };
  return { rows, sink };
}

async function* bytesOf(...chunks: Uint8Array[]) {
  yield* chunks;
}

const lineage = { sourceObject: "s3://bucket/x.probe", ingestTime: "2024-05-01T00:00:00Z" };
const enc = (s: string) => new TextEncoder().encode(s);

describe("ingestObject", () => {
  it("accounts for every record and stamps lineage on rows and quarantine", async () => {
    // Prepare
    const { rows, sink } = memorySink((row) => row.word === "huge");
    const input =
      "#probe v1\n2024-05-01T10:00:00Z alpha\nlonely\n2024-13-01T00:00:00Z beta\n2024-05-01T11:00:00Z huge\n";
    // Act
    const summary = await ingestObject({
      sources: [probeSource],
      bytes: bytesOf(enc(input)),
      context: { key: "x.probe", options: {} },
      lineage,
      sink,
    });
    // Assess
    expect(summary).toStrictEqual({
      source: "app_json",
      records: 5,
      rows: { probe: 1 },
      quarantined: { bad_field_count: 1, bad_timestamp: 1, too_large: 1 },
      skipped: { header: 1 },
    });
    expect(rows.map((r) => [r.table, r.row.source_line, r.row.reason ?? r.row.word])).toStrictEqual([
      ["probe", 2, "alpha"],
      ["quarantine", 3, "bad_field_count"],
      ["quarantine", 4, "bad_timestamp"],
      ["quarantine", 5, "too_large"],
    ]);
    expect(rows[1]?.row).toStrictEqual({
      event_time: "2024-05-01T00:00:00Z",
      source_kind: "app_json",
      reason: "bad_field_count",
      message: "one field",
      raw: "lonely",
      raw_truncated: false,
      source_object: "s3://bucket/x.probe",
      source_line: 3,
      ingest_time: "2024-05-01T00:00:00Z",
      cwl_owner: null,
      cwl_log_group: null,
      cwl_log_stream: null,
      cwl_event_id: null,
    });
  });

  it("keeps the records before a corrupt gzip tail and quarantines the damage", async () => {
    const good = gzipSync(enc("#probe\n2024-05-01T10:00:00Z one\n2024-05-01T10:00:01Z two\n"));
    const cut = good.subarray(0, good.length - 6);
    const { rows, sink } = memorySink();
    const summary = await ingestObject({
      sources: [probeSource],
      bytes: bytesOf(cut),
      context: { key: "x.probe.gz", options: {} },
      lineage,
      sink,
    });
    expect(summary.rows).toStrictEqual({ probe: 2 });
    expect(summary.quarantined).toStrictEqual({ corrupt_gzip: 1 });
    expect(rows.at(-1)?.row.reason).toBe("corrupt_gzip");
  });

  it("quarantines the line a damaged stream cut off instead of parsing its stump", async () => {
    // Prepare: enough varied lines that cutting the compressed bytes in half cuts a line in the middle.
    const text = Array.from({ length: 3000 }, (_, i) => `2024-05-01T10:00:00Z word-${(i * 7919) % 104729}-end`).join(
      "\n",
    );
    const gz = gzipSync(enc(`${text}\n`));
    const { rows, sink } = memorySink();
    // Act
    const summary = await ingestObject({
      sources: [probeSource],
      bytes: bytesOf(gz.subarray(0, gz.length >> 1)),
      context: { key: "x.probe", options: {} },
      lineage,
      sink,
    });
    // Assess
    const kept = rows.filter((r) => r.table === "probe");
    expect(kept.length).toBeGreaterThan(100);
    expect(kept.every((r) => /^word-\d+-end$/.test(String(r.row.word)))).toBe(true);
    const damage = rows.at(-1)?.row;
    expect(damage?.reason).toBe("corrupt_gzip");
    expect(damage?.source_line).toBe(kept.length + 1);
    expect(text.split("\n")[kept.length]?.startsWith(String(damage?.raw))).toBe(true);
    expect(summary.records).toBe(kept.length + 1);
  });

  it("quarantines an object no source recognises, with its head as raw text", async () => {
    const { rows, sink } = memorySink();
    const summary = await ingestObject({
      sources: [probeSource],
      bytes: bytesOf(enc("hello world\n")),
      context: { key: "notes.txt", options: {} },
      lineage,
      sink,
    });
    expect(summary).toStrictEqual({
      source: "unknown",
      records: 1,
      rows: {},
      quarantined: { unknown_source: 1 },
      skipped: {},
    });
    expect(rows[0]?.row.raw).toBe("hello world\n");
  });

  it("quarantines bytes that start like gzip but are not", async () => {
    const { sink } = memorySink();
    const summary = await ingestObject({
      sources: [probeSource],
      bytes: bytesOf(new Uint8Array([0x1f, 0x8b, 1, 2, 3])),
      context: { key: "x.probe.gz", options: {} },
      lineage,
      sink,
    });
    expect(summary.quarantined).toStrictEqual({ corrupt_gzip: 1 });
  });

  it("lets --source win over the key", async () => {
    const { sink } = memorySink();
    const summary = await ingestObject({
      sources: [probeSource],
      bytes: bytesOf(enc("2024-05-01T10:00:00Z a\n")),
      context: { key: "other.log", options: {} },
      lineage,
      sink,
      forced: "app_json",
    });
    expect(summary.rows).toStrictEqual({ probe: 1 });
  });
});

describe("ingestObject with redaction", () => {
  it("hands the sink an event's own text unchanged when redaction changed nothing, and redacted like its row when it did", async () => {
    // Prepare
    const clean = '{"timestamp":"2024-05-01T10:00:00Z","type":"api","user_id":"bob","message":"ok"}';
    const secret = '{"timestamp":"2024-05-01T10:01:00Z","type":"auth","user_id":"alice","password":"hunter2"}';
    const texts: (string | undefined)[] = [];
    const rows: Record<string, unknown>[] = [];
    const sink: RowSink = {
      write(_table, row, text) {
        rows.push(row);
        texts.push(text);
      },
    };
    const redaction = ingestRedaction(resolveConfig({ env: "dev" }).redaction);
    // Act
    await ingestObject({
      sources: [appJsonSource],
      bytes: bytesOf(enc(`${clean}\n${secret}\n`)),
      context: { key: "app/web.jsonl", options: {} },
      lineage,
      sink,
      ...(redaction ? { redaction } : {}),
    });
    // Assess
    const leaked = [...texts, ...rows.map((r) => JSON.stringify(r))].filter((t) => t?.includes("hunter2"));
    expect([texts[0], texts[1]?.includes('"user_id":"alice"'), leaked]).toStrictEqual([clean, true, []]);
  });
});
