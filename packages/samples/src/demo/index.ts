import type { SourceId } from "@app/core/sources/types";
import { DAY_MS, dayStartMs, HOUR_MS, isoSeconds } from "../clock.ts";
import { MIXED_ALNUM, Rng } from "../random.ts";
import { type AppEvent, AppTraffic, appFileText, appHour, appKey } from "./app-json.ts";
import {
  type CfRequest,
  CloudFrontTraffic,
  cloudfrontFileText,
  cloudfrontHour,
  cloudfrontKey,
  cloudfrontLine,
} from "./cloudfront.ts";
import {
  ACTORS,
  type CloudTrailRecord,
  cloudtrailDigests,
  cloudtrailFileText,
  cloudtrailHour,
  cloudtrailKey,
  cloudtrailRecord,
  cloudtrailSecondaryHour,
  type DeliveredLogFile,
} from "./cloudtrail.ts";
import { accessIncidents } from "./incidents-access.ts";
import { evasionIncidents } from "./incidents-evasion.ts";
import { realtimeRecordsText, subscriptionControl, subscriptionData } from "./kinesis.ts";
import { DEMO } from "./scenario.ts";

export { DEMO, INCIDENT_COUNTS, INCIDENT_HOURS } from "./scenario.ts";

/** A generated sample file: where to write it, its text, and whether to gzip it on write. */
export interface DemoFile {
  /** Relative path, S3-key style (`AWSLogs/…`, `<DIST>.YYYY-MM-DD-HH.<id>.gz`, `app/<service>/…`). */
  path: string;
  /** Uncompressed text. */
  contents: string;
  /** True when the path ends in `.gz`: the writer compresses `contents`. */
  gzip: boolean;
  /** The source that should parse this file. */
  source: SourceId;
  /** Data records in the file (header lines and control messages excluded), deliberately bad ones included. */
  records: number;
  /** Records in the file that are deliberately malformed and must be quarantined. */
  bad: number;
  /** A digest's signature, hex: what S3 would hold as the object's `x-amz-meta-signature`. */
  signature?: string;
  /** True for the log file edited after its digest hashed it: `loglake verify` must name it `modified`. */
  editedAfterDigest?: true;
}

/** Options of the demo data set. */
export interface DemoOptions {
  /** Number of whole UTC days to cover (the last day holds the incidents; at least 1). Default 8. */
  days?: number;
  /** Last day covered, `YYYY-MM-DD` (UTC). Default 2025-06-12, a Thursday, so the IAM users are at work. */
  endDate?: string;
  /** PRNG seed; the same options give the same bytes. Default 20250612. */
  seed?: number;
}

/** Defaults of `demoFiles`: eight days, so the last day has a full seven-day baseline. */
export const DEMO_DEFAULTS = { days: 8, endDate: "2025-06-12", seed: 20250612 } as const;

/** Second account whose trail is streamed through CloudWatch Logs (its events are distinct from the S3 trail). */
const STREAMED_ACCOUNT = "444455556666";
/** UTC hour on the last day that the real-time and subscription samples come from. */
const STREAM_HOUR = 14;
/** UTC hour on the last day whose files carry the deliberately malformed lines. */
const BAD_LINES_HOUR = 12;
/**
 * UTC hour on the last day whose CloudTrail log file is edited after its digest hashed it (one userAgent changed,
 * every record kept): `loglake verify` must name it `modified`.
 */
export const DEMO_TAMPERED_HOUR = 1;

/**
 * Generates the demo data set: CloudFront standard and real-time logs, CloudTrail log and digest files, app JSON lines
 * and CloudWatch Logs subscription payloads, with the attack patterns of `INCIDENT_HOURS` on the last day and a few
 * deliberately malformed lines. Pure and deterministic: the same options give the same files, byte for byte.
 */
export function demoFiles(options: DemoOptions = {}): DemoFile[] {
  const days = options.days ?? DEMO_DEFAULTS.days;
  const endDate = options.endDate ?? DEMO_DEFAULTS.endDate;
  const seed = options.seed ?? DEMO_DEFAULTS.seed;
  if (!Number.isInteger(days) || days < 1 || days > 366) throw new RangeError(`days must be 1..366, got ${days}`);
  const lastDayMs = dayStartMs(endDate);
  const startMs = lastDayMs - (days - 1) * DAY_MS;
  const endMs = lastDayMs + DAY_MS;

  const root = new Rng(seed);
  const cfRng = root.fork("cloudfront");
  const ctRng = root.fork("cloudtrail");
  const appRng = root.fork("app");
  const streamRng = root.fork("kinesis");
  const cf = new CloudFrontTraffic(cfRng);
  const app = new AppTraffic(appRng);

  const files: DemoFile[] = [];
  const digestHours: { startMs: number; files: DeliveredLogFile[] }[] = [];
  let secondary: CloudTrailRecord[] = [];
  let tampered: DemoFile | undefined;
  let realtime: CfRequest[] = [];

  for (let hourMs = startMs; hourMs < endMs; hourMs += HOUR_MS) {
    const hour = new Date(hourMs).getUTCHours();
    const lastDay = hourMs >= lastDayMs;

    const requests = cloudfrontHour(cf, cfRng, hourMs, lastDayMs);
    let cfText = cloudfrontFileText(requests);
    let cfBad = 0;
    if (lastDay && hour === BAD_LINES_HOUR) {
      // A line cut short and two records run together: both have the wrong field count.
      const cut = cloudfrontLine(cf.normal(hourMs + 61_000))
        .split("\t")
        .slice(0, 15)
        .join("\t");
      const merged = cloudfrontLine(cf.normal(hourMs + 62_000)) + cloudfrontLine(cf.normal(hourMs + 63_000));
      cfText += `${cut}\n${merged}\n`;
      cfBad = 2;
    }
    files.push({
      path: cloudfrontKey("cloudfront/", DEMO.distributionId, hourMs, cfRng.hex(8)),
      contents: cfText,
      gzip: true,
      source: "cloudfront",
      records: requests.length + cfBad,
      bad: cfBad,
    });
    if (lastDay && hour === STREAM_HOUR) realtime = requests.slice(0, 120);

    const ctRecords = cloudtrailHour(ctRng, hourMs, lastDayMs);
    if (lastDay) ctRecords.push(...evasionIncidents(hourMs));
    if (lastDay) ctRecords.push(...accessIncidents(hourMs));
    const primary = ctRecords.filter((r) => r.awsRegion === DEMO.region);
    secondary.push(...ctRecords.filter((r) => r.awsRegion !== DEMO.region), ...cloudtrailSecondaryHour(ctRng, hourMs));
    const delivered = cloudtrailFile(ctRng, DEMO.region, hourMs + 55 * 60_000, primary);
    if (delivered) {
      files.push(delivered.file);
      if (lastDay) digestHours.push({ startMs: hourMs, files: [delivered.log] });
      if (lastDay && hour === DEMO_TAMPERED_HOUR) tampered = delivered.file;
    }
    if (hour % 6 === 5) {
      const second = cloudtrailFile(ctRng, DEMO.secondaryRegion, hourMs + 58 * 60_000, secondary);
      if (second) files.push(second.file);
      secondary = [];
    }

    const { auth, api } = appHour(app, appRng, hourMs, lastDayMs);
    files.push(appFile(DEMO.appServices.auth, hourMs, auth, ""));
    const bad =
      lastDay && hour === BAD_LINES_HOUR
        ? `{"timestamp":"${isoSeconds(hourMs + 30 * 60_000)}","level":"info","type":"api","service":"orders-api","method":"GET","pa\n` +
          "panic: runtime error: invalid memory address or nil pointer dereference\n"
        : "";
    files.push(appFile(DEMO.appServices.api, hourMs, api, bad));
  }

  for (const d of cloudtrailDigests(digestHours)) {
    files.push({
      path: d.key,
      contents: d.text,
      gzip: true,
      source: "cloudtrail_digest",
      records: 1,
      bad: 0,
      signature: d.signature,
    });
  }
  if (tampered) {
    tampered.contents = tampered.contents.replace(/"userAgent":"[^"]*"/, '"userAgent":"edited-after-delivery"');
    tampered.editedAfterDigest = true;
  }
  files.push(...streamFiles(streamRng, app, lastDayMs + STREAM_HOUR * HOUR_MS, realtime));
  return files;
}

function appFile(service: string, hourMs: number, events: readonly AppEvent[], badLines: string): DemoFile {
  const bad = badLines === "" ? 0 : badLines.split("\n").length - 1;
  return {
    path: appKey(service, hourMs),
    contents: appFileText(events) + badLines,
    gzip: true,
    source: "app_json",
    records: events.length + bad,
    bad,
  };
}

function cloudtrailFile(
  rng: Rng,
  region: string,
  deliveryMs: number,
  records: CloudTrailRecord[],
): { file: DemoFile; log: DeliveredLogFile } | undefined {
  if (records.length === 0) return undefined;
  const key = cloudtrailKey(DEMO.accountId, region, deliveryMs, rng.chars(16, MIXED_ALNUM));
  const text = cloudtrailFileText(records);
  const times = records.map((r) => r.eventTime as string);
  return {
    file: { path: key, contents: text, gzip: true, source: "cloudtrail", records: records.length, bad: 0 },
    log: {
      key,
      text,
      oldestEventTime: times[0] as string,
      newestEventTime: times[times.length - 1] as string,
    },
  };
}

/** Kinesis-borne samples: CloudFront real-time records and CloudWatch Logs subscription payloads. */
function streamFiles(rng: Rng, app: AppTraffic, hourMs: number, realtime: readonly CfRequest[]): DemoFile[] {
  const out: DemoFile[] = [];
  const sorted = [...realtime].sort((a, b) => a.timeMs - b.timeMs);
  for (let i = 0; i < sorted.length; i += 40) {
    const batch = sorted.slice(i, i + 40);
    out.push({
      path: `kinesis/cloudfront-realtime/${DEMO.distributionId}/shardId-000000000000-${String(i / 40).padStart(4, "0")}.tsv`,
      contents: realtimeRecordsText(batch),
      gzip: false,
      source: "cloudfront_realtime",
      records: batch.length,
      bad: 0,
    });
  }

  const cwl = (name: string, contents: string, records: number, bad = 0): DemoFile => ({
    path: `kinesis/cloudwatch-logs/shardId-000000000000/${name}.json.gz`,
    contents,
    gzip: true,
    source: "cloudwatch_logs",
    records,
    bad,
  });
  out.push(cwl("0000-control", subscriptionControl(hourMs), 0));

  // The second account's trail, streamed through CloudWatch Logs: ordinary reads plus a burst of denied calls.
  const streamedActor = {
    ...ACTORS.monitoring,
    identity: (r: Rng, t: number) => {
      const id = ACTORS.monitoring.identity(r, t);
      return JSON.parse(JSON.stringify(id).replaceAll(DEMO.accountId, STREAMED_ACCOUNT)) as Record<string, unknown>;
    },
  };
  const trailMessages: { timeMs: number; message: string }[] = [];
  for (let i = 0; i < 30; i++) {
    const t = hourMs + i * 110_000 + rng.int(0, 9_999);
    const rec = cloudtrailRecord(rng, t, streamedActor, {
      source: "ec2.amazonaws.com",
      name: i % 5 === 4 ? "DescribeSnapshots" : "DescribeInstances",
      readOnly: true,
      params: { instancesSet: {}, filterSet: {} },
      error:
        i >= 20
          ? { code: "Client.UnauthorizedOperation", message: "You are not authorized to perform this operation." }
          : undefined,
    });
    rec.recipientAccountId = STREAMED_ACCOUNT;
    trailMessages.push({ timeMs: t, message: JSON.stringify(rec) });
  }
  const logGroup = `aws-cloudtrail-logs-${STREAMED_ACCOUNT}`;
  const logStream = `${STREAMED_ACCOUNT}_CloudTrail_${DEMO.region}`;
  out.push(
    cwl("0001-cloudtrail", subscriptionData(rng, { logGroup, logStream, messages: trailMessages.slice(0, 15) }), 15),
  );
  out.push(
    cwl(
      "0002-cloudtrail",
      subscriptionData(rng, {
        logGroup,
        logStream,
        messages: trailMessages.slice(15),
        policyLevel: "ACCOUNT_LEVEL_POLICY",
      }),
      15,
    ),
  );

  // Application logs shipped by the container runtime to CloudWatch Logs.
  const api = app.user("u-1002");
  const appMessages: { timeMs: number; message: string }[] = [];
  for (let i = 0; i < 20; i++) {
    const ev = app.api(hourMs + 30 * 60_000 + i * 7_000, api);
    appMessages.push({ timeMs: Date.parse(ev.timestamp), message: JSON.stringify(ev) });
  }
  // CloudWatch Logs cuts events above 256 KB; one here is cut mid-object and must be quarantined.
  const cut = appMessages[appMessages.length - 1]?.message.slice(0, 90) ?? "";
  appMessages.push({ timeMs: hourMs + 45 * 60_000, message: cut });
  out.push(
    cwl(
      "0003-app",
      subscriptionData(rng, {
        logGroup: `/ecs/${DEMO.appServices.api}`,
        logStream: `ecs/${DEMO.appServices.api}/${rng.hex(32)}`,
        messages: appMessages,
      }),
      appMessages.length,
      1,
    ),
  );
  return out;
}
