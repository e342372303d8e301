import type { RedactionRule } from "./redactor.ts";

export {
  ACCESS_KEY_ID_SOURCE,
  CREDENTIAL_DETECTORS,
  DETECTORS,
  type DetectorId,
  isCardNumber,
  luhnValid,
  triggerOf,
} from "./detectors.ts";
export { isIpAddress, truncateIp } from "./ip.ts";
export { isSecretKey, SECRET_KEY_FRAGMENTS } from "./keys.ts";
export { keyBelow, matchesPath, type PathPattern, pathPatternProblems, splitPath } from "./paths.ts";
export {
  compileRedaction,
  detached,
  escapeRegExp,
  mergeCounts,
  REDACT_ACTIONS,
  type RedactAction,
  type Redaction,
  type RedactionCounts,
  type RedactionOptions,
  type RedactionRule,
  RedactionRuleError,
  type Redactor,
  type RuleTarget,
  ruleProblems,
} from "./redactor.ts";
export { literalLead, TriggerSearch } from "./search.ts";

/**
 * Credential filtering: private keys, AWS secret access keys and access key ids, JWTs, bearer tokens, and the values
 * of fields named like credentials (`password`, `client_secret`, `X-Api-Key`, `sessionToken`, …) or written as
 * `name=value` in text, masked wherever they appear.
 */
export const CREDENTIAL_RULES: readonly RedactionRule[] = [
  { detect: "private_key", action: "mask" },
  { detect: "aws_secret_access_key", action: "mask" },
  { detect: "aws_access_key_id", action: "mask" },
  { detect: "jwt", action: "mask" },
  { detect: "bearer_token", action: "mask" },
  { detect: "secret_field", action: "mask" },
];
