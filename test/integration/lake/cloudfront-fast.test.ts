import { readFileSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { resolveConfig } from "@app/core/config/index";
import { type IngestRedaction, ingestRedaction } from "@app/core/ingest/redaction";
import type { IngestManifest } from "@app/core/lake-layout";
import { cloudfrontTable } from "@app/core/sources/cloudfront/schema";
import { SOURCES } from "@app/core/sources/index";
import { BODY_COLUMNS, stageCloudFrontFast } from "@app/lake/cloudfront-fast";
import { ingestToLake } from "@app/lake/ingest";
import { LocalLakeStore } from "@app/lake/store";
import { benchCloudFront } from "@app/samples/bench";
import type { DuckDBConnection } from "@duckdb/node-api";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { useDuckDb } from "../../helpers/duckdb.ts";
import { fuzzInputs, loadFuzzFixtures } from "../../helpers/fuzz-inputs.ts";

const db = useDuckDb();
const FIXTURES = join(import.meta.dirname, "../../fixtures/sources");
const INGEST_TIME = "2024-05-02T00:00:00Z";
const dirs: string[] = [];
const tempDir = async (prefix: string) => {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
};
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function* once(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  // Small chunks, so header, lines and gzip members are cut at awkward places.
  for (let i = 0; i < bytes.length; i += 4096) yield bytes.subarray(i, i + 4096);
}

/**
 * What a lake holds after one ingest: the manifest without file hashes (the encoders differ), and every row of every
 * file by line. DuckDB's partitioned writer may put a file's rows in another order than the lines.
 */
async function lakeContent(conn: DuckDBConnection, store: LocalLakeStore, manifest: IngestManifest) {
  const files: Record<string, unknown[]> = {};
  for (const f of manifest.files) {
    const path = join(store.location, f).replaceAll("'", "''");
    const reader = await conn.runAndReadAll(`SELECT * FROM read_parquet('${path}') ORDER BY source_line`);
    files[f] = reader.getRowObjectsJson();
  }
  const { file_sha256: _, ...rest } = manifest;
  return { manifest: rest, files };
}

async function ingestBoth(bytes: Uint8Array, key: string, rowsPerFile?: number, redaction?: IngestRedaction) {
  const out = [];
  for (const fastPath of [false, true]) {
    const store = new LocalLakeStore(await tempDir("lake-fast-"));
    const manifest = await ingestToLake({
      db: db(),
      store,
      sources: SOURCES,
      bytes: once(bytes),
      key,
      sourceObject: `s3://bucket/${key}`,
      ingestTime: INGEST_TIME,
      name: "obj",
      fastPath,
      ...(rowsPerFile ? { rowsPerFile } : {}),
      ...(redaction ? { redaction } : {}),
    });
    out.push(await lakeContent(db(), store, manifest));
  }
  return { js: out[0], fast: out[1] };
}

async function benchBytes(lines: number, hoursPerFile: number): Promise<{ key: string; bytes: Uint8Array }> {
  const [file] = benchCloudFront({ lines, files: 1, hoursPerFile, seed: 7 });
  if (!file) throw new Error("no bench file");
  const parts: string[] = [];
  for await (const c of file.chunks()) parts.push(c);
  return { key: file.path, bytes: gzipSync(parts.join("")) };
}

describe("CloudFront through DuckDB's CSV reader", () => {
  it("stages a clean object itself, with the same files, rows, lines and summary as the JavaScript parser", async () => {
    const { key, bytes } = await benchBytes(3000, 3);
    const dir = await tempDir("fast-");
    const outcome = await stageCloudFrontFast({
      db: db(),
      bytes: once(bytes),
      dir: join(dir, "scratch"),
      outDir: join(dir, "out"),
      key,
      sourceObject: "s3://bucket/x",
      ingestTime: INGEST_TIME,
      keyDistribution: null,
      rowsPerFile: 1000,
      options: {},
    });
    expect(outcome.kind).toBe("staged");
    const { js, fast } = await ingestBoth(bytes, key, 1000);
    expect(fast).toStrictEqual(js);
    // Three hours, three chunks of 1,000 rows: every chunk writes into each hour.
    expect(js?.manifest.files.length).toBe(9);
    expect(js?.manifest.summary).toStrictEqual({
      source: "cloudfront",
      records: 3002,
      rows: { cloudfront: 3000 },
      quarantined: {},
      skipped: { header: 2 },
    });
  });

  it("hands an object it cannot read exactly to the JavaScript parser, bytes and all", async () => {
    const text = await readFile(join(FIXTURES, "cloudfront/bad-lines.log"));
    const dir = await tempDir("fast-");
    const outcome = await stageCloudFrontFast({
      db: db(),
      bytes: once(text),
      dir: join(dir, "scratch"),
      outDir: join(dir, "out"),
      key: "cf/E2QWRUHAPOMQZL.2019-12-04-21.6c8f2d1e",
      sourceObject: "s3://bucket/x",
      ingestTime: INGEST_TIME,
      keyDistribution: null,
      rowsPerFile: 1000,
      options: {},
    });
    expect(outcome.kind).toBe("fallback");
    if (outcome.kind !== "fallback") return;
    const replayed: Uint8Array[] = [];
    for await (const c of outcome.bytes()) replayed.push(c);
    expect(Buffer.concat(replayed)).toStrictEqual(text);
  });

  // Lines that pass the byte screen but must not be read by DuckDB alone, and values at the edge of each guard.
  const sample = readFileSync(join(FIXTURES, "cloudfront/aws-sample-33.log"), "utf8");
  const [version = "", fields = "", ...records] = sample.trimEnd().split("\n");
  const record = records[0] ?? "";
  const withField = (i: number, v: string) =>
    record
      .split("\t")
      .map((f, k) => (k === i ? v : f))
      .join("\t");
  const edits: Record<string, string[]> = {
    "int with a letter": [withField(3, "39a")],
    "int past 2^53": [withField(3, "9007199254740993")],
    "int32 past its range": [withField(8, "2147483648")],
    "int with leading zeros": [withField(3, "000392"), withField(8, "0000000200")],
    "negative zero and bare fractions": [withField(18, "-0"), withField(18, "-.5"), withField(18, "5.")],
    "a long double": [withField(18, "0.1234567890123456789")],
    "escapes of every width": [withField(10, "%C3%A9%E2%82%AC%F0%9F%98%80%41%7e%0D%0A")],
    "an escape that is not UTF-8": [withField(10, "caf%E9")],
    "a cut escape": [withField(10, "abc%4")],
    "an escaped NUL": [withField(10, "a%00b")],
    "a plus sign": [withField(11, "q=a+b%2Bc")],
    "30 February": [withField(0, "2019-02-30")],
    "29 February of a leap year": [withField(0, "2020-02-29")],
    "hour 24": [withField(1, "24:00:00")],
    "a fraction of a second": [withField(1, "21:02:31.123456")],
    "a day in another hour": [withField(1, "23:59:59"), withField(0, "2019-12-05")],
    "one trailing tab": [`${record}\t`],
    "two trailing tabs": [`${record}\t\t`],
    "an extra field": [`${record}\tx`],
    "a missing field": [record.split("\t").slice(0, -1).join("\t")],
    "a blank line": ["", record],
    "a comment mid-file": ["#note", record],
    "a new #Fields mid-file": [fields.replace(" sc-range-end", ""), record],
    "a JSON line": ['{"date":"2019-12-04","time":"21:02:31"}'],
    "no newline at the end": [`${record}`],
  };
  const edited = Object.entries(edits).map(([label, lines]) => ({
    label,
    text: `${[version, fields, ...records.slice(0, 3), ...lines, ...records.slice(3)].join("\n")}${label === "no newline at the end" ? "" : "\n"}`,
  }));

  // The edits DuckDB reads itself; every other one goes to the JavaScript parser.
  const FAST = [
    "int with leading zeros",
    "negative zero and bare fractions",
    "a long double",
    "escapes of every width",
    "a plus sign",
    "29 February of a leap year",
    "a fraction of a second",
    "a day in another hour",
    "one trailing tab",
    "no newline at the end",
  ];

  it("equals the JavaScript parser on lines at the edge of every guard", { timeout: 120_000 }, async () => {
    const differing: string[] = [];
    const staged: string[] = [];
    for (const { label, text } of edited) {
      const bytes = new TextEncoder().encode(text);
      const dir = await tempDir("fast-");
      const outcome = await stageCloudFrontFast({
        db: db(),
        bytes: once(bytes),
        dir: join(dir, "scratch"),
        outDir: join(dir, "out"),
        key: "cf/E2QWRUHAPOMQZL.2019-12-04-21.6c8f2d1e.gz",
        sourceObject: "s3://bucket/x",
        ingestTime: INGEST_TIME,
        keyDistribution: null,
        rowsPerFile: 1000,
        options: {},
      });
      if (outcome.kind === "staged") staged.push(label);
      const { js, fast } = await ingestBoth(bytes, "cf/E2QWRUHAPOMQZL.2019-12-04-21.6c8f2d1e.gz");
      try {
        expect(fast).toStrictEqual(js);
      } catch {
        differing.push(label);
      }
    }
    expect(differing).toStrictEqual([]);
    expect(staged).toStrictEqual(FAST);
  });

  // Mutations splice in lines of other sources' fixtures, so all are loaded; only inputs named as CloudFront are run.
  const inputs = fuzzInputs(loadFuzzFixtures(FIXTURES), {
    seed: 20240501,
    perFixture: 1,
    positions: "rotate",
    bombBytes: 1024 * 1024,
  })
    .filter((i) => i.source === "cloudfront")
    // Every case once, but only every eighth CR/CRLF/escape position: each kind still lands on several fields.
    .filter((i, k) => !i.mutation.includes("@") || k % 8 === 0);

  it("equals the JavaScript parser on every CloudFront fixture and fuzz case", { timeout: 300_000 }, async () => {
    expect(inputs.length).toBeGreaterThan(50);
    const differing: string[] = [];
    for (const input of inputs) {
      const { js, fast } = await ingestBoth(input.bytes, input.key);
      try {
        expect(fast).toStrictEqual(js);
      } catch {
        differing.push(`${input.fixture} ${input.mutation}`);
      }
    }
    expect(differing).toStrictEqual([]);
  });
});

describe("CloudFront through DuckDB's CSV reader, with the default config's redaction", () => {
  const redaction = ingestRedaction(resolveConfig({ env: "local" }).redaction);
  const KEY = "cf/E2QWRUHAPOMQZL.2019-12-04-21.6c8f2d1e.gz";
  const stage = async (bytes: Uint8Array, key: string) => {
    const mayRedact = redaction?.screen("cloudfront", cloudfrontTable, BODY_COLUMNS);
    const dir = await tempDir("fast-");
    return stageCloudFrontFast({
      db: db(),
      bytes: once(bytes),
      dir: join(dir, "scratch"),
      outDir: join(dir, "out"),
      key,
      sourceObject: "s3://bucket/x",
      ingestTime: INGEST_TIME,
      keyDistribution: null,
      rowsPerFile: 1000,
      options: {},
      ...(mayRedact ? { mayRedact } : {}),
    });
  };

  it("is on by default, and its rules can be screened for the CloudFront table", () => {
    expect(redaction).toBeDefined();
    expect(redaction?.screen("cloudfront", cloudfrontTable, BODY_COLUMNS)).toBeTypeOf("function");
  });

  it("reads objects without credentials itself, with the JavaScript parser's output", async () => {
    const sample = await readFile(join(FIXTURES, "cloudfront/aws-sample-33.log"));
    const bench = await benchBytes(3000, 3);
    for (const { bytes, key } of [
      { bytes: new Uint8Array(sample), key: KEY },
      { bytes: bench.bytes, key: bench.key },
    ]) {
      expect((await stage(bytes, key)).kind).toBe("staged");
      const { js, fast } = await ingestBoth(bytes, key, 1000, redaction);
      expect(fast).toStrictEqual(js);
      expect(js?.manifest.summary.redacted).toBeUndefined();
    }
  });

  // Credentials in every string field that can carry one, plain and URL-encoded (`%41KIA` decodes to `AKIA`).
  const sample = readFileSync(join(FIXTURES, "cloudfront/aws-sample-33.log"), "utf8");
  const [version = "", fields = "", ...records] = sample.trimEnd().split("\n");
  const record = records[0] ?? "";
  const withField = (i: number, v: string) =>
    record
      .split("\t")
      .map((f, k) => (k === i ? v : f))
      .join("\t");
  const credentials: Record<string, { line: string; redacted: Record<string, Record<string, number>> }> = {
    "an access key id in the query": {
      line: withField(11, "X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20191204"),
      redacted: { aws_access_key_id: { mask: 1 } },
    },
    "an access key id hidden by escapes": {
      line: withField(11, "k=%41KIAIOSFODNN7EXAMPL%45"),
      redacted: { aws_access_key_id: { mask: 1 } },
    },
    "a token parameter": {
      line: withField(11, "access_token=s3cr3tValue&page=2"),
      redacted: { secret_field: { mask: 1 } },
    },
    "an escaped password parameter": {
      line: withField(11, "user=a%26password%3Dhunter2"),
      redacted: { secret_field: { mask: 1 } },
    },
    "a JWT in the referer": {
      line: withField(9, "https://example.com/cb#id_token=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"),
      redacted: { jwt: { mask: 1 } },
    },
    "a bearer token in the cookie": {
      line: withField(12, "auth=Bearer%20abcdefgh12345678"),
      redacted: { bearer_token: { mask: 1 } },
    },
    "a private key in the user agent": {
      line: withField(10, "-----BEGIN%20PRIVATE%20KEY-----MIIB"),
      redacted: { private_key: { mask: 1 } },
    },
  };

  it("leaves objects holding credentials to the JavaScript parser, which redacts them", async () => {
    const got: Record<string, unknown> = {};
    for (const [label, { line }] of Object.entries(credentials)) {
      const text = `${[version, fields, ...records.slice(0, 3), line, ...records.slice(3)].join("\n")}\n`;
      const bytes = new TextEncoder().encode(text);
      const outcome = await stage(bytes, KEY);
      const { js, fast } = await ingestBoth(bytes, KEY, undefined, redaction);
      expect(fast, label).toStrictEqual(js);
      got[label] = { kind: outcome.kind, redacted: js?.manifest.summary.redacted };
    }
    expect(got).toStrictEqual(
      Object.fromEntries(
        Object.entries(credentials).map(([label, { redacted }]) => [label, { kind: "fallback", redacted }]),
      ),
    );
  });

  // Texts a credential detector finds, and near misses it must not, in any string field, each character written
  // as itself or as its escape: the fast path either stages the JavaScript parser's very rows or hands it the object.
  const UNRESERVED = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  const texts = fc.oneof(
    fc.constantFrom(
      "AKIAIOSFODNN7EXAMPLE",
      "ASIAY34FZKBOKMUTVV7A",
      "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln",
      "Bearer abcdefgh12345678",
      "password=hunter2",
      "client_secret: s3cr3t",
      "aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
      "-----BEGIN RSA PRIVATE KEY-----",
      "passport=1",
      "tokens",
      "AKIAshort",
      "eyJ.x",
      "bearer",
    ),
    fc.string({ unit: fc.constantFrom(...UNRESERVED), minLength: 1, maxLength: 12 }),
  );
  const written = (text: string, escapes: boolean[]) =>
    [...text]
      .map((ch, i) =>
        escapes[i % escapes.length] || !/[A-Za-z0-9._~/=:-]/.test(ch)
          ? [...new TextEncoder().encode(ch)].map((b) => `%${b.toString(16).toUpperCase().padStart(2, "0")}`).join("")
          : ch,
      )
      .join("");
  const STRING_FIELDS = [2, 4, 5, 6, 7, 9, 10, 11, 12, 13, 14, 15, 16, 19, 20, 21, 22, 23, 24, 28, 29];

  it("stages only what redaction leaves alone, on credentials and near misses anywhere", {
    timeout: 300_000,
  }, async () => {
    const kinds = new Set<string>();
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.constantFrom(...STRING_FIELDS), fc.array(texts, { minLength: 1, maxLength: 3 })), {
          minLength: 1,
          maxLength: 2,
        }),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 5 }),
        async (plants, escapes) => {
          let line = record;
          for (const [field, parts] of plants)
            line = line
              .split("\t")
              .map((f, k) => (k === field ? written(parts.join(" "), escapes) : f))
              .join("\t");
          const text = `${[version, fields, ...records.slice(0, 2), line, ...records.slice(2)].join("\n")}\n`;
          const bytes = new TextEncoder().encode(text);
          kinds.add((await stage(bytes, KEY)).kind);
          const { js, fast } = await ingestBoth(bytes, KEY, undefined, redaction);
          expect(fast).toStrictEqual(js);
        },
      ),
      { numRuns: 30, seed: 20240502 },
    );
    expect([...kinds].sort()).toStrictEqual(["fallback", "staged"]);
  });

  // Escapes in any fields of several lines, lines without one between them, and escapes DuckDB must not decode: the
  // columns the spool marks for decoding and the fields it checks are the JavaScript parser's, with or without
  // redaction.
  const escapes = fc.oneof(
    {
      arbitrary: fc.constantFrom("%20", "%41KIA", "%2F", "%C3%A9", "%E2%82%AC", "%F0%9F%98%80", "%25", "%2541", "%7e"),
      weight: 20,
    },
    { arbitrary: fc.constantFrom("%4", "%zz", "%00", "%E9", "%C3", "%"), weight: 1 },
    { arbitrary: fc.string({ unit: fc.constantFrom(..."abcXYZ019-._~/"), maxLength: 6 }), weight: 12 },
  );
  const column = fc.oneof(
    { arbitrary: fc.constantFrom(...STRING_FIELDS), weight: 9 },
    { arbitrary: fc.integer({ min: 0, max: record.split("\t").length - 1 }), weight: 1 },
  );

  it("decodes and checks every escaped field of every line, in any column", { timeout: 120_000 }, async () => {
    const kinds = new Set<string>();
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.array(fc.tuple(column, fc.array(escapes, { minLength: 1, maxLength: 4 })), {
            maxLength: 3,
          }),
          { minLength: 1, maxLength: 5 },
        ),
        async (plants) => {
          const lines = plants.map((line, k) => {
            const base = (records[k % records.length] ?? record).split("\t");
            for (const [field, parts] of line) base[field] = parts.join("");
            return base.join("\t");
          });
          const text = `${[version, fields, ...lines, ...records.slice(0, 2)].join("\n")}\n`;
          const bytes = new TextEncoder().encode(text);
          kinds.add((await stage(bytes, KEY)).kind);
          for (const r of [undefined, redaction]) {
            const { js, fast } = await ingestBoth(bytes, KEY, undefined, r);
            expect(fast).toStrictEqual(js);
          }
        },
      ),
      { numRuns: 15, seed: 20240503 },
    );
    expect([...kinds].sort()).toStrictEqual(["fallback", "staged"]);
  });
});
