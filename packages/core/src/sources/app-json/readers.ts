import type { FieldReader } from "../../schema/column.ts";
import { asNumber } from "../values.ts";

// pino and bunyan write numeric levels.
const NUMERIC_LEVELS: Readonly<Record<number, string>> = {
  10: "trace",
  20: "debug",
  30: "info",
  40: "warn",
  50: "error",
  60: "fatal",
};

/** A level name in lower case, or a pino/bunyan numeric level by its name. */
export const readLevel: FieldReader<string> = ({ value }) => {
  if (typeof value === "number") return NUMERIC_LEVELS[value];
  if (typeof value === "string") return value.toLowerCase();
  return value === null ? null : undefined;
};

const HTTP_METHODS = new Set(["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "CONNECT", "TRACE"]);

/** HTTP verbs only, as written: auth events use "method" for the sign-in method ("password", "totp"). */
export const readHttpMethod: FieldReader<string> = ({ value }) =>
  typeof value === "string" && HTTP_METHODS.has(value.toUpperCase()) ? value : value === null ? null : undefined;

/** A textual status ("success", "denied") is an outcome; a numeric one is an HTTP code, read by `status_code`. */
export const readTextualStatus: FieldReader<string> = ({ value }) =>
  typeof value === "string" && asNumber(value) === null ? value : undefined;

/** The outcome values the reports look for (`queries/app/*.sql`). */
export const OUTCOME = { success: "success", failure: "failure" } as const;

/** A boolean success flag as an outcome: true is success, false is failure. */
export const readSuccessFlag: FieldReader<string> = ({ value }) =>
  typeof value === "boolean" ? (value ? OUTCOME.success : OUTCOME.failure) : undefined;
