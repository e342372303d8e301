import { mergeCounts, type RedactionCounts } from "@loglake/redact";
import { type AuditEventInput, type AuditRecord, toAuditRecord } from "./event.ts";
import { type DeliveryOptions, PRESETS, type PresetName } from "./presets.ts";
import { createSinkQueue, type ReportError, type SinkHealth, type SinkQueue } from "./queue.ts";
import { type RedactOption, recordRedaction } from "./redact.ts";
import type { AuditSink, EncodedEvent } from "./sink.ts";

/** Why the logger refused an event before any sink saw it. */
export type RefusalReason = "invalid" | "redact_failed";

export interface AuditLoggerOptions {
  /** The `service` of every event that does not name its own. */
  service: string;
  sinks: readonly AuditSink[];
  /**
   * Applied to each validated record before it is encoded (default: credentials masked, as at ingest; `false` for
   * none); an event it throws on is dropped, never sent as is.
   */
  redact?: RedactOption;
  /** Batching and retry defaults (default `compliance`); `delivery` overrides single settings. */
  preset?: PresetName;
  delivery?: Partial<DeliveryOptions>;
  /** Throw `AuditEventError` from `log` for an invalid event instead of counting it. */
  strict?: boolean;
  /** Told of every refused or undelivered event; it must not throw (what it throws is ignored). */
  onError?: (error: unknown, info: { sink?: string; reason: string; events: number }) => void;
  /** The clock for events without a timestamp. */
  now?: () => Date;
}

/** The logger's counters: events refused at the call site, then each sink's own. */
export interface AuditHealth {
  accepted: number;
  refused: Record<RefusalReason, number>;
  /** What redaction changed in accepted events: `{ <detector or value>: { <action>: n } }`. */
  redacted: RedactionCounts;
  sinks: Record<string, SinkHealth>;
}

type TypedInput = Omit<AuditEventInput, "type">;

export interface AuditLogger {
  /**
   * Validates, redacts and queues one event on every sink. Never throws (unless `strict` and the event is invalid)
   * and never rejects: resolves true when every sink queued it. Only the `block` overflow policy makes it wait.
   */
  log(event: AuditEventInput): Promise<boolean>;
  auth(event: TypedInput): Promise<boolean>;
  api(event: TypedInput): Promise<boolean>;
  audit(event: TypedInput): Promise<boolean>;
  /** Sends everything queued; resolves true when every queue emptied within `timeoutMs`. Never rejects. */
  flush(timeoutMs?: number): Promise<boolean>;
  /** Flushes, then stops: later events are dropped as `closed`. Never rejects. */
  close(timeoutMs?: number): Promise<void>;
  health(): AuditHealth;
}

/**
 * An audit logger for events in loglake's `app_events` shape, sent to every sink through its own bounded queue.
 *
 * @example
 * const audit = createAuditLogger({ service: "billing", sinks: [kinesisSink({ client, streamName: "loglake" })] });
 * void audit.auth({ action: "login", user_id: "u-42", result: "success", ip_address: "198.51.100.7" });
 */
export function createAuditLogger(opts: AuditLoggerOptions): AuditLogger {
  const delivery: DeliveryOptions = { ...PRESETS[opts.preset ?? "compliance"], ...opts.delivery };
  const names = opts.sinks.map((s) => s.name);
  if (new Set(names).size !== names.length) throw new Error(`audit sinks need distinct names: ${names.join(", ")}`);
  const now = opts.now ?? (() => new Date());
  const refused: Record<RefusalReason, number> = { invalid: 0, redact_failed: 0 };
  let accepted = 0;
  const redact = recordRedaction(opts.redact);
  const redacted: RedactionCounts = {};
  const report: ReportError = (error, info) => {
    try {
      opts.onError?.(error, info);
    } catch {
      // A faulty error handler must not break delivery.
    }
  };
  const queues = new Map<string, SinkQueue>(opts.sinks.map((s) => [s.name, createSinkQueue(s, delivery, report)]));

  function encode(input: unknown): EncodedEvent | undefined {
    let record: AuditRecord;
    try {
      record = toAuditRecord(input, { service: opts.service, now });
    } catch (e) {
      if (opts.strict) throw e;
      refused.invalid++;
      report(e, { reason: "invalid", events: 1 });
      return undefined;
    }
    try {
      const r = redact ? redact(record) : { record };
      const json = JSON.stringify(r.record);
      if (r.counts) mergeCounts(redacted, r.counts);
      return { record: r.record, json, bytes: Buffer.byteLength(json), timeMs: Date.parse(r.record.timestamp) };
    } catch (e) {
      refused.redact_failed++;
      report(e, { reason: "redact_failed", events: 1 });
      return undefined;
    }
  }

  function logSync(input: AuditEventInput): Promise<boolean> {
    // Validation errors surface synchronously in strict mode; anything else resolves.
    const event = encode(input);
    return event ? offerAll(event) : Promise.resolve(false);
  }

  async function offerAll(event: EncodedEvent): Promise<boolean> {
    accepted++;
    let all = true;
    for (const q of queues.values()) {
      const queued = q.offer(event);
      if ((queued instanceof Promise ? await queued : queued) === false) all = false;
    }
    return all;
  }

  const all = <T>(f: (q: SinkQueue) => Promise<T>) => Promise.all([...queues.values()].map(f));
  return {
    log: logSync,
    auth: (e) => logSync({ ...e, type: "auth" }),
    api: (e) => logSync({ ...e, type: "api" }),
    audit: (e) => logSync({ ...e, type: "audit" }),
    flush: async (timeoutMs) => (await all((q) => q.flush(timeoutMs))).every(Boolean),
    close: async (timeoutMs) => {
      await all((q) => q.close(timeoutMs));
    },
    health: () => ({
      accepted,
      refused: { ...refused },
      redacted: mergeCounts({}, redacted),
      sinks: Object.fromEntries([...queues].map(([name, q]) => [name, q.health()])),
    }),
  };
}
