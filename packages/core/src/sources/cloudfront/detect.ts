import { compactName } from "./plan.ts";

// `<optional prefix>/<distribution id>.YYYY-MM-DD-HH.<unique id>.gz`, matched on the file name. A prefix without a
// trailing slash (CloudFront allows it) is tolerated when it does not end in upper-case letters or digits.
const LEGACY_NAME = /(?:^|[^A-Z0-9])([A-Z0-9]{8,20})\.\d{4}-\d{2}-\d{2}-\d{2}\.[A-Za-z0-9]+(?:\.gz)?$/;
// Standard logging v2 to S3 without a custom prefix: `AWSLogs/<account>/CloudFront/…`, or the Hive-compatible
// `AWSLogs/aws-account-id=<account>/CloudFront/…`.
const V2_PATH = /(?:^|\/)AWSLogs\/(?:aws-account-id=)?\d{12}\/CloudFront\//;
// v2 partitioning with `{DistributionId}` / `{distributionid}` and the Hive-compatible option.
const HIVE_DISTRIBUTION = /(?:^|\/)distributionid=([A-Za-z0-9]{8,20})(?:\/|$)/i;
// Real-time logs reach S3 only through a consumer (for example Firehose); their prefix must say so.
const REALTIME_KEY = /cloudfront[-_ ]?real[-_ ]?time/i;

function baseName(key: string): string {
  return key.slice(key.lastIndexOf("/") + 1);
}

/** Distribution id named by an object key: the legacy file name, or a v2 `DistributionId=` partition; else null. */
export function distributionIdFromKey(key: string): string | null {
  const legacy = LEGACY_NAME.exec(baseName(key));
  if (legacy?.[1]) return legacy[1];
  const hive = HIVE_DISTRIBUTION.exec(key);
  return hive?.[1] ? hive[1].toUpperCase() : null;
}

/** True for keys of real-time log objects: the key mentions `cloudfront-realtime` (or `cloudfront_real_time`, …). */
export function isRealtimeKey(key: string): boolean {
  return REALTIME_KEY.test(key);
}

/** True for standard (legacy or v2) log object keys. */
export function isStandardKey(key: string): boolean {
  if (isRealtimeKey(key)) return false;
  return LEGACY_NAME.test(baseName(key)) || V2_PATH.test(key);
}

// Field names only CloudFront writes; IIS and other W3C logs share c-ip, cs-method and the like.
const CLOUDFRONT_ONLY = new Set(
  [
    "x-edge-location",
    "x-edge-request-id",
    "x-edge-result-type",
    "x-edge-response-result-type",
    "x-edge-detailed-result-type",
    "x-host-header",
    "fle-status",
    "fle-encrypted-fields",
    "cs-protocol-version",
    "time-to-first-byte",
    "timestamp(ms)",
    "origin-fbl",
    "origin-lbl",
    "cache-behavior-path-pattern",
  ].map(compactName),
);

function firstLines(head: string, max: number): string[] {
  const text = head.charCodeAt(0) === 0xfeff ? head.slice(1) : head;
  const out: string[] = [];
  let start = 0;
  while (out.length < max && start < text.length) {
    const nl = text.indexOf("\n", start);
    const end = nl === -1 ? text.length : nl;
    const line = text.slice(start, end > start && text.charCodeAt(end - 1) === 13 ? end - 1 : end);
    if (line.trim().length > 0) out.push(line);
    if (nl === -1) break;
    start = nl + 1;
  }
  return out;
}

/** Field names of a `#Fields:` header line, separated by spaces or tabs. */
export function headerFields(line: string): string[] {
  return line
    .slice("#Fields:".length)
    .split(/[ \t]+/)
    .filter((f) => f.length > 0);
}

/**
 * True when the head of an object is a CloudFront standard log: a `#Fields` header (after `#Version` or other
 * comments) naming a CloudFront-only field, or a first JSON line with such a key (standard logging v2 JSON).
 */
export function sniffStandard(head: string): boolean {
  for (const line of firstLines(head, 8)) {
    if (line.startsWith("#")) {
      if (line.slice(0, 8).toLowerCase() === "#fields:") {
        return headerFields(line).some((f) => CLOUDFRONT_ONLY.has(compactName(f)));
      }
      continue;
    }
    if (!line.startsWith("{")) return false;
    try {
      const value: unknown = JSON.parse(line);
      if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
      return Object.keys(value).some((k) => CLOUDFRONT_ONLY.has(compactName(k)));
    } catch {
      return false;
    }
  }
  return false;
}

// Real-time `timestamp`: epoch seconds (10 digits until 2286) with milliseconds.
const EPOCH_MS = /^\d{10}\.\d{3}$/;

/**
 * True when the head is real-time log records: tab-separated lines that start with epoch seconds with milliseconds
 * and agree on their field count. The configured field list is not known here, so the count is checked for
 * consistency, not against the list. Most lines must start like a record and most of those agree on the count, so
 * one damaged record (a stray line break inside a field) does not hide the records around it.
 */
export function sniffRealtime(head: string): boolean {
  const sample = firstLines(head, 5);
  // A cut-off last line cannot be judged; keep it only when it is the whole head.
  const complete = sample.length > 1 && !head.endsWith("\n") ? sample.slice(0, -1) : sample;
  if (complete.length === 0) return false;
  const widths = new Map<number, number>();
  let records = 0;
  for (const line of complete) {
    const parts = line.split("\t");
    if (parts.length > 1 && parts[parts.length - 1] === "") parts.pop();
    if (parts.length < 2 || !EPOCH_MS.test(parts[0] ?? "")) continue;
    records++;
    widths.set(parts.length, (widths.get(parts.length) ?? 0) + 1);
  }
  const agreeing = Math.max(0, ...widths.values());
  return records * 2 >= complete.length && agreeing * 2 > records;
}
