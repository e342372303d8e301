/** Placeholders a raw-copy key template may use. `<original key>` is an alias of `<key>`. */
export const KEY_TEMPLATE_TOKENS = ["env", "source", "key", "bucket", "yyyy", "mm", "dd", "hh"] as const;
export type KeyTemplateToken = (typeof KEY_TEMPLATE_TOKENS)[number];

/** Default template for customer copies: environment, then source, then the object's original key. */
export const DEFAULT_CUSTOMER_KEY_TEMPLATE = "<env>/<source>/<key>";

/** Default template for WORM copies: the original key kept under an environment and source prefix. */
export const DEFAULT_WORM_KEY_TEMPLATE = "<env>/<source>/<key>";

/** One piece of a parsed key template. */
export type KeyTemplatePart = { literal: string } | { token: KeyTemplateToken };

/** Values substituted into a key template. */
export interface KeyTemplateValues {
  env: string;
  source: string;
  /** The object's original key, inserted unchanged. */
  key: string;
  /** The bucket the object came from. */
  bucket: string;
  /** Event time of the object (ISO-8601 UTC); gives `<yyyy>`, `<mm>`, `<dd>`, `<hh>`. */
  eventTime: string;
}

const ALIASES: Record<string, KeyTemplateToken> = { "original key": "key" };

/**
 * Parses a key template into literal and token parts, or returns the list of problems found: unknown placeholders,
 * no `<key>` (copies of different objects would collide), a leading `/`, `..`, or empty path segments.
 */
export function parseKeyTemplate(template: string): { parts: KeyTemplatePart[] } | { problems: string[] } {
  const problems: string[] = [];
  const parts: KeyTemplatePart[] = [];
  const re = /<([^<>]*)>/g;
  let last = 0;
  for (let m = re.exec(template); m !== null; m = re.exec(template)) {
    if (m.index > last) parts.push({ literal: template.slice(last, m.index) });
    const name = m[1] ?? "";
    const token = ALIASES[name] ?? (KEY_TEMPLATE_TOKENS as readonly string[]).find((t) => t === name);
    if (token) parts.push({ token: token as KeyTemplateToken });
    else problems.push(`unknown placeholder <${name}> (known: ${KEY_TEMPLATE_TOKENS.map((t) => `<${t}>`).join(", ")})`);
    last = m.index + m[0].length;
  }
  if (last < template.length) parts.push({ literal: template.slice(last) });
  const literals = parts.flatMap((p) => ("literal" in p ? [p.literal] : []));
  if (literals.some((l) => l.includes("<") || l.includes(">"))) problems.push("unbalanced < or >");
  if (!parts.some((p) => "token" in p && p.token === "key")) {
    problems.push("must contain <key>, or copies of different objects would overwrite each other");
  }
  // Check the path shape with every placeholder standing in for a non-empty segment piece.
  problems.push(...pathProblems(parts.map((p) => ("literal" in p ? p.literal : "x")).join("")));
  return problems.length > 0 ? { problems } : { parts };
}

/**
 * Problems with a value used as an S3 key prefix or path piece: `..`, a leading `/`, empty segments (`//`), a
 * backslash or control characters. An empty list means the value is safe.
 */
export function pathProblems(value: string): string[] {
  const problems: string[] = [];
  if (value.length === 0) problems.push("must not be empty");
  if (value.includes("..")) problems.push('must not contain ".."');
  if (value.startsWith("/")) problems.push('must not start with "/"');
  // A trailing "/" ends a prefix; a leading one is reported above.
  const inner = value.replace(/^\//, "").replace(/\/$/, "");
  if (value.length > 1 && inner.split("/").some((s) => s.length === 0)) {
    problems.push("must not contain empty path segments");
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is rejected.
  if (/[\\\u0000-\u001f\u007f]/.test(value)) problems.push("must not contain a backslash or control characters");
  return problems;
}

/** Renders parsed template parts with the given values. */
export function renderKeyTemplate(parts: readonly KeyTemplatePart[], values: KeyTemplateValues): string {
  const tokenValue = (t: KeyTemplateToken): string => {
    switch (t) {
      case "env":
        return values.env;
      case "source":
        return values.source;
      case "key":
        return values.key;
      case "bucket":
        return values.bucket;
      case "yyyy":
        return values.eventTime.slice(0, 4);
      case "mm":
        return values.eventTime.slice(5, 7);
      case "dd":
        return values.eventTime.slice(8, 10);
      case "hh":
        return values.eventTime.slice(11, 13);
    }
  };
  return parts.map((p) => ("literal" in p ? p.literal : tokenValue(p.token))).join("");
}
