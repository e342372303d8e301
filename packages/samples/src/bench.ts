import { dayStartMs, HOUR_MS } from "./clock.ts";
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
export function benchCloudFront(options: { lines?: number; seed?: number; files?: number } = {}): BenchFile[] {
  const lines = options.lines ?? 1_000_000;
  const seed = options.seed ?? 1;
  const fileCount = options.files ?? 8;
  const startMs = dayStartMs(BENCH_START);
  const naming = new Rng(seed).fork("cloudfront-names");
  return split(lines, fileCount).map((n, i) => {
    const hourMs = startMs + i * HOUR_MS;
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
          const t = hourMs + rng.int(0, HOUR_MS - 1);
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
export function benchCloudTrail(options: { records?: number; seed?: number; perFile?: number } = {}): BenchFile[] {
  const records = options.records ?? 200_000;
  const seed = options.seed ?? 1;
  const perFile = options.perFile ?? 10_000;
  const startMs = dayStartMs(BENCH_START);
  const naming = new Rng(seed).fork("cloudtrail-names");
  const windowMs = 5 * 60_000;
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
