import type { LogItem } from "@aws-lambda-powertools/logger";
import { Logger } from "@aws-lambda-powertools/logger";
import type { ConstructorOptions } from "@aws-lambda-powertools/logger/types";
import type { AuditEventInput } from "./event.ts";
import type { AuditLogger } from "./logger.ts";

type AuditFields = Omit<AuditEventInput, "timestamp" | "level" | "message" | "service">;

/**
 * A Powertools Logger that also sends to `audit` every log item carrying an `audit` key: the item's message,
 * level, time and Lambda request id, with the fields under `audit` (`type` and `action` at least). Powertools has
 * no log-forwarding hook; it documents extending `Logger`, and this overrides its protected `printLog`, which
 * sees each item after formatting. Child loggers forward too. Items without `audit` are only printed.
 *
 * @example
 * const logger = auditingLogger(audit, { serviceName: "billing" });
 * logger.info("signed in", { audit: { type: "auth", action: "login", user_id: "u-42", result: "success" } });
 */
export function auditingLogger(audit: Pick<AuditLogger, "log">, options?: ConstructorOptions): Logger {
  return new AuditingLogger(audit, options);
}

class AuditingLogger extends Logger {
  readonly #audit: Pick<AuditLogger, "log">;

  constructor(audit: Pick<AuditLogger, "log">, options?: ConstructorOptions) {
    super(options);
    this.#audit = audit;
  }

  protected override printLog(logLevel: number, log: LogItem): void {
    super.printLog(logLevel, log);
    const attrs = log.getAttributes();
    const fields = attrs.audit;
    if (typeof fields !== "object" || fields === null) return;
    const requestId = attrs.function_request_id ?? attrs.request_id;
    void this.#audit.log({
      ...(typeof requestId === "string" ? { request_id: requestId } : {}),
      ...(fields as AuditFields),
      timestamp:
        typeof attrs.timestamp === "string" && attrs.timestamp.endsWith("Z")
          ? attrs.timestamp
          : new Date().toISOString(),
      level: String(attrs.level ?? "info").toLowerCase() as AuditEventInput["level"],
      ...(typeof attrs.service === "string" ? { service: attrs.service } : {}),
      ...(typeof attrs.message === "string" ? { message: attrs.message } : {}),
    });
  }

  protected override createLogger(options?: ConstructorOptions): Logger {
    return new AuditingLogger(this.#audit, options);
  }
}
