import { isIpAddress } from "./ip.ts";
import { isSecretKey, SECRET_KEY_FRAGMENTS } from "./keys.ts";

/** The credential detectors, in the order `DETECTORS` starts with. */
const CREDENTIALS = [
  "private_key",
  "aws_secret_access_key",
  "aws_access_key_id",
  "jwt",
  "bearer_token",
  "secret_field",
] as const;

/** The built-in detectors, credentials first: spans found by several are credited to the earliest in this list. */
export const DETECTORS = [...CREDENTIALS, "email", "card_number", "ip_address"] as const;

/** A built-in detector. */
export type DetectorId = (typeof DETECTORS)[number];

/** Detectors that find credentials; `CREDENTIAL_RULES` masks what they find. */
export const CREDENTIAL_DETECTORS: readonly DetectorId[] = CREDENTIALS;

/** Receives one found span: `[start, end)` of the text searched. */
export type SpanSink = (start: number, end: number) => void;

interface SpanDetector {
  /** Case-insensitive regular expression source that every text holding a match also matches (a cheap pre-check). */
  readonly trigger: string;
  /** No text shorter than this holds a match: callers skip such texts before the pre-check (a saving only). */
  readonly shortest?: number;
  find(text: string, push: SpanSink): void;
}

/**
 * Runs a global regular expression; `group` picks the span (the group's text must end where the match ends).
 * `shortest` is the length of the shortest text the expression matches: shorter texts are not searched.
 */
function matches(
  re: RegExp,
  text: string,
  push: SpanSink,
  group = 0,
  accept?: (m: RegExpExecArray) => boolean,
  shortest = 1,
) {
  if (text.length < shortest) return;
  re.lastIndex = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const g = m[group];
    if (g === undefined || g.length === 0 || (accept && !accept(m))) continue;
    const end = m.index + m[0].length;
    push(end - g.length, end);
  }
}

const EMAIL =
  /[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?){0,8}\.[A-Za-z]{2,63}(?![A-Za-z0-9-])/g;
/** An AWS access key id (long-term `AKIA…` or temporary `ASIA…`), as a regular expression source. */
export const ACCESS_KEY_ID_SOURCE = "(?:AKIA|ASIA)[A-Z0-9]{16}";
const ACCESS_KEY_ID = new RegExp(`(?<![A-Z0-9])${ACCESS_KEY_ID_SOURCE}(?![A-Z0-9])`, "g");
// A 40-character secret access key is told from any other 40-character token (a git SHA-1, a hash) by what stands
// before it: a secret-key name and a separator, or an access key id.
const SECRET_KEY_BY_NAME =
  /(?:aws_?secret_?access_?key|aws_?secret_?key|secret_?access_?key|secret_?key)\\?["']?[ \t]*[:=>,][ \t]*\\?["']?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])/gi;
const SECRET_KEY_BY_ID = new RegExp(
  `(?<![A-Z0-9])${ACCESS_KEY_ID_SOURCE}[\\s:=,;|"'/]{1,4}([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])`,
  "g",
);
const JWT = /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*/g;
const BEARER = /\bbearer[ \t]+([A-Za-z0-9\-._~+/]{8,}=*)/gi;
const PRIVATE_KEY =
  /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----(?:[\s\S]*?-----END (?:[A-Z0-9]+ )*PRIVATE KEY-----|[\s\S]*$)/g;
// `name = value`, `name: value`, `"name": "value"` and the same escaped inside a JSON string; the name is checked
// by `isSecretKey`, an authorization scheme (`Basic …`) is taken with its credentials.
const KEY_VALUE =
  /([A-Za-z_][A-Za-z0-9_.-]{1,63})(?:\\?["'])?[ \t]*[:=][ \t]*(?:\\"((?:[^"\\]|\\[^"])*)\\"|"((?:[^"\\]|\\.)*)"|'([^'\r\n]*)'|((?:Basic|Bearer|Digest|Negotiate|Token)[ \t]+[^\s,;"'&]+|[^\s&,;"'<>{}[\]\\]+))/g;
const NOT_SECRET_VALUES = new Set(["null", "true", "false", "undefined", "none", "-"]);
const CARD = /(?<!\d)\d(?:[ -]?\d){12,18}(?!\d)/g;
const IPV4 = /(?<![\d.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?!\.?\d)/g;
const IPV6 =
  /(?<![0-9A-Fa-f:.])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:(?:\d{1,3}\.){3}\d{1,3}|[0-9A-Fa-f]{1,4})?(?![0-9A-Fa-f:])/g;

/** True when the digits pass the Luhn check. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/**
 * True for 13-19 digits (spaces and hyphens between them allowed) that start like a payment card (2-6: Mastercard,
 * Visa, Amex, Discover, JCB, UnionPay, Maestro) and pass the Luhn check. The leading digit keeps epoch-millisecond
 * times (13 digits starting with 1) out.
 */
export function isCardNumber(text: string): boolean {
  const digits = text.replace(/[ -]/g, "");
  if (digits.length < 13 || digits.length > 19 || !/^\d+$/.test(digits)) return false;
  const first = digits.charCodeAt(0) - 48;
  return first >= 2 && first <= 6 && luhnValid(digits);
}

const acceptCard = (m: RegExpExecArray) => isCardNumber(m[0]);
const acceptIpv6 = (m: RegExpExecArray) => /[0-9a-f]/i.test(m[0]) && isIpAddress(m[0]);

const SPAN_DETECTORS: Record<DetectorId, SpanDetector> = {
  private_key: { trigger: "private key", find: (t, push) => matches(PRIVATE_KEY, t, push) },
  aws_secret_access_key: {
    trigger: "secret|akia|asia",
    shortest: 40,
    find(t, push) {
      // Both forms hold the 40 characters of the key (`shortest`); the form after a key id holds 61 or more.
      matches(SECRET_KEY_BY_NAME, t, push, 1);
      matches(SECRET_KEY_BY_ID, t, push, 1, undefined, 61);
    },
  },
  aws_access_key_id: {
    trigger: "akia|asia",
    shortest: 20,
    find: (t, push) => matches(ACCESS_KEY_ID, t, push),
  },
  jwt: { trigger: "eyj", shortest: 9, find: (t, push) => matches(JWT, t, push) },
  bearer_token: { trigger: "bearer", shortest: 15, find: (t, push) => matches(BEARER, t, push, 1) },
  secret_field: {
    trigger: SECRET_KEY_FRAGMENTS,
    find(t, push) {
      // Every form has a name, then `:` or `=`, then the value.
      if (t.indexOf(":") === -1 && t.indexOf("=") === -1) return;
      KEY_VALUE.lastIndex = 0;
      for (let m = KEY_VALUE.exec(t); m !== null; m = KEY_VALUE.exec(t)) {
        const value = m[2] ?? m[3] ?? m[4] ?? m[5];
        if (value === undefined) continue;
        // Quoted values end one quote (or an escaped quote) before the match does.
        const close = m[5] !== undefined ? 0 : m[2] !== undefined ? 2 : 1;
        const end = m.index + m[0].length - close;
        // The next search starts inside the value, which may itself hold `name=value` pairs.
        KEY_VALUE.lastIndex = end - value.length;
        if (value === "" || NOT_SECRET_VALUES.has(value.toLowerCase()) || !isSecretKey(m[1] as string)) continue;
        push(end - value.length, end);
        KEY_VALUE.lastIndex = end;
      }
    },
  },
  email: { trigger: "@", find: (t, push) => matches(EMAIL, t, push) },
  card_number: {
    trigger: "\\d(?:[ -]?\\d){12}",
    find: (t, push) => matches(CARD, t, push, 0, acceptCard),
  },
  ip_address: {
    trigger: "\\d\\.\\d{1,3}\\.\\d|[0-9a-f]?:[0-9a-f]{0,4}:",
    find(t, push) {
      matches(IPV4, t, push);
      matches(IPV6, t, push, 0, acceptIpv6);
    },
  },
};

/** Finds a detector's spans in a text. */
export function findSpans(detector: DetectorId, text: string, push: SpanSink): void {
  SPAN_DETECTORS[detector].find(text, push);
}

/** The length of the shortest text in which a detector can find anything (1 when it has no bound). */
export function shortestOf(detector: DetectorId): number {
  return SPAN_DETECTORS[detector].shortest ?? 1;
}

/** The pre-check source of a detector (see `SpanDetector.trigger`). */
export function triggerOf(detector: DetectorId): string {
  return SPAN_DETECTORS[detector].trigger;
}
