import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { resolveConfig } from "@app/core/config/index";
import { ingestRedaction } from "@app/core/ingest/redaction";
import { SOURCES } from "@app/core/sources/index";
import { expandPaths, ingestFiles } from "@app/lake/ingest";
import { LocalLakeStore } from "@app/lake/store";
import fc from "fast-check";
import { parquetReadObjects } from "hyparquet";
import { compressors } from "hyparquet-compressors";
import { describe, expect, it } from "vitest";
import { useDuckDb } from "../../helpers/duckdb.ts";

const TRAIL_KEY =
  "AWSLogs/111122223333/CloudTrail/us-east-1/2024/05/01/111122223333_CloudTrail_us-east-1_20240501T1000Z_p1.json";

const chars = (alphabet: string, min: number, max: number) =>
  fc.string({ unit: fc.constantFrom(...alphabet), minLength: min, maxLength: max });
const UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const LOWER = "abcdefghijklmnopqrstuvwxyz";
const DIGITS = "0123456789";
const B64URL = `${UPPER}${LOWER}${DIGITS}_-`;

/** A Luhn-valid 16-digit Visa-like number, written plain, with spaces or with hyphens. */
const card = fc.tuple(chars(DIGITS, 15, 15), fc.constantFrom("", " ", "-")).map(([body, sep]) => {
  const digits = `4${body.slice(1)}`;
  let sum = 0;
  for (let i = 0; i < 15; i++) {
    let d = Number(digits[14 - i]);
    if (i % 2 === 0) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  const full = `${digits}${(10 - (sum % 10)) % 10}`;
  return full.match(/.{4}/g)?.join(sep) ?? full;
});

/** One detector's input: the text to embed and the secret part that must not survive. */
interface Planted {
  text: string;
  secret: string;
}

const planted: fc.Arbitrary<Planted> = fc.oneof(
  fc
    .tuple(chars(`${LOWER}${DIGITS}._+-`, 1, 16), chars(LOWER, 1, 10), chars(LOWER, 2, 6))
    .map(([l, d, t]) => `x${l}@${d}.${t}`)
    .map((e) => ({ text: e, secret: e })),
  chars(`${UPPER}${DIGITS}`, 16, 16).map((s) => ({ text: `AKIA${s}`, secret: `AKIA${s}` })),
  chars(`${UPPER}${LOWER}${DIGITS}/+`, 40, 40).map((s) => ({ text: `aws_secret_access_key=${s}`, secret: s })),
  fc
    .tuple(chars(B64URL, 8, 30), chars(B64URL, 8, 30), chars(B64URL, 8, 30))
    .map(([a, b, c]) => `eyJ${a}.eyJ${b}.${c}`)
    .map((j) => ({ text: j, secret: j })),
  chars(`${UPPER}${LOWER}${DIGITS}._~+/-`, 16, 40).map((t) => ({ text: `Authorization: Bearer ${t}`, secret: t })),
  fc
    .tuple(
      fc.constantFrom("password", "client_secret", "api_key", "X-Api-Key", "masterUserPassword", "passwd"),
      chars(`${LOWER}${UPPER}${DIGITS}`, 12, 24),
    )
    .map(([k, v]) => ({ text: `${k}=${v}`, secret: v })),
  card.map((c) => ({ text: c, secret: c })),
  fc
    .tuple(
      fc.integer({ min: 1, max: 223 }),
      fc.integer({ min: 0, max: 255 }),
      fc.integer({ min: 0, max: 255 }),
      fc.integer({ min: 1, max: 255 }),
    )
    .map((o) => o.join("."))
    .map((ip) => ({ text: ip, secret: ip })),
);

/** A secret under a credential field name, in JSON. */
const field = fc.tuple(
  fc.constantFrom("password", "secret", "token", "api_key", "client_secret", "secretString", "Authorization"),
  chars(`${LOWER}${UPPER}${DIGITS}`, 12, 24),
);

/** Where planted texts go: app event fields, CloudTrail parameters and messages, and records that are quarantined. */
const inputs = fc.record({
  app: fc.array(fc.tuple(planted, field, fc.constantFrom("ok", "broken", "no_time")), { minLength: 1, maxLength: 4 }),
  trail: fc.array(fc.tuple(planted, field, fc.boolean()), { minLength: 1, maxLength: 3 }),
});

function appLine([p, [key, value], kind]: [Planted, [string, string], string], i: number): string {
  const event: Record<string, unknown> = {
    ...(kind === "no_time" ? {} : { timestamp: `2024-05-01T10:0${i}:00Z` }),
    type: "audit",
    message: `event ${p.text} done`,
    context: { note: `see ${p.text}`, [key]: value },
  };
  const line = JSON.stringify(event);
  return kind === "broken" ? line.slice(0, -1) : line;
}

function trailRecord([p, [key, value], good]: [Planted, [string, string], boolean], i: number) {
  return {
    eventVersion: "1.11",
    eventTime: good ? `2024-05-01T10:0${i}:00Z` : "yesterday",
    eventSource: "secretsmanager.amazonaws.com",
    eventName: "PutSecretValue",
    eventID: `00000000-0000-0000-0000-00000000000${i}`,
    errorMessage: `failed for ${p.text}`,
    requestParameters: { secretId: "prod/db", [key]: value, description: p.text },
  };
}

async function parquetStrings(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith(".parquet")) continue;
    const bytes = await readFile(join(entry.parentPath, entry.name));
    const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    for (const row of await parquetReadObjects({ file, compressors }))
      for (const v of Object.values(row)) if (typeof v === "string") out.push(v);
  }
  return out;
}

// Each run is a whole ingest through DuckDB (about 0.4 s on two busy cores), so the runs are few.
describe("redaction at ingest, by property", () => {
  const db = useDuckDb();
  const settings = resolveConfig({
    env: "dev",
    redaction: {
      rules: [
        { detect: "email", action: "mask" },
        { detect: "card_number", action: "mask" },
        { detect: "ip_address", action: "truncate" },
      ],
    },
  }).redaction;
  const redaction = ingestRedaction(settings);

  it("lets no detector's input into any table row or quarantine row", async () => {
    const root = await mkdtemp(join(tmpdir(), "redact-prop-"));
    let run = 0;
    try {
      await fc.assert(
        fc.asyncProperty(inputs, async ({ app, trail }) => {
          // Prepare
          const dir = join(root, String(run++));
          await mkdir(join(dir, "in", "app"), { recursive: true });
          await mkdir(join(dir, "in", TRAIL_KEY, ".."), { recursive: true });
          await writeFile(join(dir, "in", "app", "events.jsonl"), `${app.map(appLine).join("\n")}\n`);
          await writeFile(join(dir, "in", TRAIL_KEY), JSON.stringify({ Records: trail.map(trailRecord) }));
          const walk = await expandPaths([join(dir, "in")]);
          // Act
          const totals = await ingestFiles({
            db: db(),
            store: new LocalLakeStore(join(dir, "lake")),
            sources: SOURCES,
            files: walk.files,
            keys: walk.keys,
            lanes: 1,
            ...(redaction ? { redaction } : {}),
          });
          const values = await parquetStrings(join(dir, "lake"));
          // Assess
          const secrets = [
            ...app.flatMap(([p, [, v]]) => [p.secret, v]),
            ...trail.flatMap(([p, [, v]]) => [p.secret, v]),
          ];
          const leaks = secrets.filter((s) => values.some((v) => v.includes(s)));
          expect(leaks).toStrictEqual([]);
          expect(totals.records).toBe(app.length + trail.length);
          await rm(dir, { recursive: true, force: true });
        }),
        { numRuns: 20 },
      );
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
