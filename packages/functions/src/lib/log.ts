import type { Log } from "@app/pipeline/log";
import { Logger } from "@aws-lambda-powertools/logger";

/** A Powertools logger (structured JSON for CloudWatch) behind the data path's `Log` interface. */
export function powertoolsLog(serviceName: string): Log {
  const logger = new Logger({ serviceName });
  return {
    info: (message, extra) => logger.info(message, extra ?? {}),
    warn: (message, extra) => logger.warn(message, extra ?? {}),
    error: (message, extra) => logger.error(message, extra ?? {}),
  };
}
