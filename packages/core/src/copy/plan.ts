import { customerDestinations } from "../config/destinations.ts";
import type { LoglakeConfig, WormMode } from "../config/types.ts";
import type { SourceId } from "../sources/types.ts";
import { renderKeyTemplate } from "./key-template.ts";

const DAY_MS = 86_400_000;

/** Where one raw copy goes and how it must be written. */
export type CopyTarget =
  | {
      kind: "worm";
      bucket: string;
      key: string;
      objectLock: { mode: WormMode; retainUntil: string };
    }
  | {
      kind: "customer";
      destination: string;
      bucket: string;
      key: string;
      kmsKeyId?: string;
      assumeRole?: { roleArn: string; externalId: string };
    };

/** The object being copied: where it is, what it is, and when S3 created it. */
export interface CopySubject {
  source: SourceId | "kinesis";
  bucket: string;
  key: string;
  /** ISO-8601 UTC event time of the object; retention counts from here. */
  eventTime: string;
}

/**
 * Retain-until date of a WORM copy: the event time plus the retention days. Derived from the event, never the
 * wall clock, so a redelivered notification writes the same lock.
 *
 * @example
 * retainUntil("2024-02-29T10:00:00Z", 2557) // "2031-03-01T10:00:00.000Z"
 */
export function retainUntil(eventTime: string, retentionDays: number): string {
  const ms = Date.parse(eventTime);
  if (!Number.isFinite(ms)) throw new RangeError(`not an ISO-8601 time: ${eventTime}`);
  return new Date(ms + retentionDays * DAY_MS).toISOString();
}

/**
 * Every raw copy an object needs: the WORM bucket when its source keeps WORM copies, then each customer
 * destination that receives its source, keys rendered from the configured templates.
 */
export function planCopies(config: LoglakeConfig, subject: CopySubject): CopyTarget[] {
  const values = {
    env: config.env,
    source: subject.source,
    key: subject.key,
    bucket: subject.bucket,
    eventTime: subject.eventTime,
  };
  const targets: CopyTarget[] = [];
  const wormEnabled = subject.source === "kinesis" || config.sources[subject.source]?.worm === true;
  if (wormEnabled) {
    targets.push({
      kind: "worm",
      bucket: config.buckets.worm,
      key: renderKeyTemplate(config.worm.keyTemplateParts, values),
      objectLock: { mode: config.worm.mode, retainUntil: retainUntil(subject.eventTime, config.worm.retentionDays) },
    });
  }
  if (subject.source === "kinesis") return targets;
  for (const d of customerDestinations(config)) {
    if (!d.sources.includes(subject.source)) continue;
    targets.push({
      kind: "customer",
      destination: d.name,
      bucket: d.bucket,
      key: renderKeyTemplate(d.keyTemplateParts, values),
      ...(d.kmsKeyId !== undefined ? { kmsKeyId: d.kmsKeyId } : {}),
      ...(d.roleArn !== undefined && d.externalId !== undefined
        ? { assumeRole: { roleArn: d.roleArn, externalId: d.externalId } }
        : {}),
    });
  }
  return targets;
}
