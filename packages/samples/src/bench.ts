import { dayStartMs, HOUR_MS } from "./clock.ts";
import { AppTraffic, appKey } from "./demo/app-json.ts";
import {
  CLOUDFRONT_HEADER,
  CloudFrontTraffic,
  cloudfrontKey,
  cloudfrontLine,
  scannerPaths,
} from "./demo/cloudfront.ts";
import { type CloudTrailRecord, cloudtrailKey, mixedRecord } from "./demo/cloudtrail.ts";
import { DEMO } from "./demo/scenario.ts";
import { MIXED_ALNUM, Rng } from "./random.ts";

/** One generated benchmark file: its S3-style path, how many records it holds, and its text as a lazy stream. */
export interface BenchFile {
  path: string;
  records: number;
  /** Uncompressed text in chunks of a few hundred KiB; every call replays the same bytes. */
  chunks(): AsyncIterable<string>;
}

// About 256 KiB of text per chunk.
const LINES_PER_CHUNK = 600;
const RECORDS_PER_CHUNK = 200;
/** First hour of the benchmark data. */
const BENCH_START = "2025-06-01";

function split(total: number, parts: number): number[] {
  const base = Math.floor(total / parts);
  return Array.from({ length: parts }, (_, i) => base + (i < total % parts ? 1 : 0));
}

/**
 * CloudFront standard log files for the benchmark: `lines` requests spread over `files` hourly 33-field files
 * (ordinary traffic with a little scanner noise), generated lazily so memory stays flat whatever the size.
 */
export function benchCloudFront(
  options: { lines?: number; seed?: number; files?: number; hoursPerFile?: number } = {},
): BenchFile[] {
  const lines = options.lines ?? 1_000_000;
  const seed = options.seed ?? 1;
  const fileCount = options.files ?? 8;
  // More than one hour per file stands for one object whose lines span several partitions.
  const spanMs = (options.hoursPerFile ?? 1) * HOUR_MS;
  const startMs = dayStartMs(BENCH_START);
  const naming = new Rng(seed).fork("cloudfront-names");
  return split(lines, fileCount).map((n, i) => {
    const hourMs = startMs + i * spanMs;
    return {
      path: cloudfrontKey("cloudfront/", DEMO.distributionId, hourMs, naming.hex(8)),
      records: n,
      async *chunks() {
        const rng = new Rng(seed).fork(`cloudfront-${i}`);
        const traffic = new CloudFrontTraffic(rng);
        const probes = scannerPaths(200);
        yield CLOUDFRONT_HEADER;
        // Lines are joined per chunk: appending to one growing string makes V8 flatten ropes again and again.
        let lines: string[] = [];
        for (let k = 0; k < n; k++) {
          const t = hourMs + rng.int(0, spanMs - 1);
          const r = rng.chance(0.01)
            ? traffic.scanner(t, DEMO.scannerIp, "Mozilla/5.0 zgrab/0.x", rng.pick(probes))
            : traffic.normal(t);
          lines.push(cloudfrontLine(r));
          if (lines.length === LINES_PER_CHUNK) {
            yield `${lines.join("\n")}\n`;
            lines = [];
          }
        }
        if (lines.length > 0) yield `${lines.join("\n")}\n`;
      },
    };
  });
}

/**
 * CloudTrail log files for the benchmark: `records` events of the baseline mix in `{"Records":[…]}` files of
 * `perFile` records, each covering five minutes, generated lazily.
 */
export function benchCloudTrail(
  options: { records?: number; seed?: number; perFile?: number; windowMs?: number; ndjson?: boolean } = {},
): BenchFile[] {
  const records = options.records ?? 200_000;
  const seed = options.seed ?? 1;
  const perFile = options.perFile ?? 10_000;
  const startMs = dayStartMs(BENCH_START);
  const naming = new Rng(seed).fork("cloudtrail-names");
  const windowMs = options.windowMs ?? 5 * 60_000;
  // An NDJSON export (one record a line, as `aws cloudtrail lookup-events` piped through jq or an Athena UNLOAD
  // gives): one object over the whole window.
  if (options.ndjson) return [ndjsonExport(records, seed, startMs, windowMs)];
  return split(records, Math.max(1, Math.ceil(records / perFile))).map((n, i) => {
    const fromMs = startMs + i * windowMs;
    return {
      path: cloudtrailKey(DEMO.accountId, DEMO.region, fromMs + windowMs, naming.chars(16, MIXED_ALNUM)),
      records: n,
      async *chunks() {
        const rng = new Rng(seed).fork(`cloudtrail-${i}`);
        // Records in a file are in time order; draw sorted offsets by stepping through the window.
        const step = windowMs / Math.max(1, n);
        yield '{"Records":[';
        let records: string[] = [];
        for (let k = 0; k < n; k++) {
          const rec: CloudTrailRecord = mixedRecord(rng, fromMs + Math.floor(k * step + rng.float() * step));
          records.push(JSON.stringify(rec));
          if (records.length === RECORDS_PER_CHUNK) {
            yield k + 1 === records.length ? records.join(",") : `,${records.join(",")}`;
            records = [];
          }
        }
        const rest = records.join(",");
        yield `${n > records.length && rest.length > 0 ? "," : ""}${rest}]}`;
      },
    };
  });
}

function ndjsonExport(n: number, seed: number, fromMs: number, windowMs: number): BenchFile {
  const p = new Date(fromMs).toISOString().slice(0, 10).replaceAll("-", "");
  return {
    path: `exports/cloudtrail/${DEMO.accountId}_CloudTrail_${DEMO.region}_${p}T0000Z_export.json`,
    records: n,
    async *chunks() {
      const rng = new Rng(seed).fork("cloudtrail-export");
      const step = windowMs / Math.max(1, n);
      let lines: string[] = [];
      for (let k = 0; k < n; k++) {
        lines.push(JSON.stringify(mixedRecord(rng, fromMs + Math.floor(k * step + rng.float() * step))));
        if (lines.length === RECORDS_PER_CHUNK) {
          yield `${lines.join("\n")}\n`;
          lines = [];
        }
      }
      if (lines.length > 0) yield `${lines.join("\n")}\n`;
    },
  };
}

/**
 * One daily application log (`app/<service>/YYYY/MM/DD/00.jsonl.gz`): `events` API events spread over 24 hours in
 * time order, the shape of a service that rotates its log once a day.
 */
export function benchAppDay(options: { events?: number; seed?: number } = {}): BenchFile {
  const n = options.events ?? 1_000_000;
  const seed = options.seed ?? 1;
  const fromMs = dayStartMs(BENCH_START);
  return {
    path: appKey(DEMO.appServices.api, fromMs),
    records: n,
    async *chunks() {
      const rng = new Rng(seed).fork("app-day");
      const traffic = new AppTraffic(rng);
      const step = (24 * HOUR_MS) / Math.max(1, n);
      let lines: string[] = [];
      for (let k = 0; k < n; k++) {
        const user = rng.pick(traffic.users);
        lines.push(JSON.stringify(traffic.api(fromMs + Math.floor(k * step + rng.float() * step), user)));
        if (lines.length === LINES_PER_CHUNK) {
          yield `${lines.join("\n")}\n`;
          lines = [];
        }
      }
      if (lines.length > 0) yield `${lines.join("\n")}\n`;
    },
  };
}
