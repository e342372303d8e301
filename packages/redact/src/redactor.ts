import { DETECTORS, type DetectorId, findSpans, isCardNumber, triggerOf } from "./detectors.ts";
import { truncateIp } from "./ip.ts";
import { isSecretKey, SECRET_KEY_FRAGMENTS } from "./keys.ts";
import { matchesBelow, matchesPath, type PathPattern, pathPatternProblems, splitPath } from "./paths.ts";

/** What a rule does with what it found. */
export const REDACT_ACTIONS = ["mask", "drop", "truncate", "hash"] as const;
export type RedactAction = (typeof REDACT_ACTIONS)[number];

/**
 * What a rule looks for: a detector's matches inside the values at its path, `secret_field` also the whole value of
 * every field whose name is a credential name, and `value` the whole value at its path. `secret_parameter` is
 * `value` counted as a credential (a field known to carry one, such as a CloudTrail request parameter).
 */
export type RuleTarget = DetectorId | "value" | "secret_parameter";

/** One redaction rule. */
export interface RedactionRule {
  detect: RuleTarget;
  action: RedactAction;
  /** Field path pattern (`attributes.user.*`, `**.email`); default `**`, every field. */
  path?: string;
  /** Path patterns the rule leaves alone. */
  except?: readonly string[];
}

/** How many values or spans each detector (or `value`, `secret_parameter`) changed, by action. */
export type RedactionCounts = Record<string, Partial<Record<RedactAction, number>>>;

/** A redacted value and what was done to it. `changed` is false exactly when `value` is the input itself. */
export interface Redaction<T> {
  value: T;
  changed: boolean;
  counts: RedactionCounts;
}

/** Options of `compileRedaction`. */
export interface RedactionOptions {
  /** The keyed hash `hash` rules use: HMAC-SHA256 of the text, as lowercase hex. Required when a rule hashes. */
  hmac?: (text: string) => string;
}

/** Redacts values, JSON text and records by a compiled rule set. Never throws on input. */
export interface Redactor {
  /** True when no rule can change anything: callers may skip the redactor. */
  readonly empty: boolean;
  /** A value found at `path`: strings are redacted (`null` when dropped); other values come back as they are. */
  redactValue(path: string, value: unknown): Redaction<unknown>;
  /**
   * JSON text whose root is at `path` (default the root): only the redacted spans change, every other byte is kept.
   * Text that is no JSON is redacted as plain text (`json` false). `null` when the whole value is dropped.
   */
  redactJsonText(text: string, path?: string): Redaction<string | null> & { json: boolean };
  /**
   * A record's fields, each at its key's path below `path`; nested objects and arrays are walked, and fields named
   * in `jsonFields` hold JSON text. Returns a copy when something changed; a dropped field is removed.
   */
  redactRecord<T extends Record<string, unknown>>(
    record: T,
    options?: { jsonFields?: ReadonlySet<string>; path?: string },
  ): Redaction<T>;
  /**
   * Text whose fields are unknown (a record that could not be parsed): read as JSON when it is JSON, else as plain
   * text, and every detector any rule names is applied wherever it matches, whatever the rule's path.
   */
  redactRaw(text: string): Redaction<string>;
}

/** A rule set that cannot be compiled (a hash rule without a key, truncate on something that is no address). */
export class RedactionRuleError extends Error {
  override name = "RedactionRuleError";
}

interface Step {
  readonly target: RuleTarget;
  readonly action: RedactAction;
  /** For span steps: the detector's own pre-check. */
  readonly trigger?: RegExp;
}

interface Plan {
  /** The step that replaces a whole value at this path (checked before any span). */
  readonly whole: Step | undefined;
  readonly spans: readonly Step[];
  /** Any span step's pre-check; undefined when there are no span steps. */
  readonly trigger: RegExp | undefined;
  /** True when some rule may apply below this path. */
  readonly deep: boolean;
}

interface CompiledRule {
  readonly target: RuleTarget;
  readonly action: RedactAction;
  readonly pattern: PathPattern;
  readonly except: readonly PathPattern[];
}

const MAX_CACHED_PLANS = 10_000;
const WHOLE_TARGETS = new Set<RuleTarget>(["value", "secret_parameter"]);

/** Problems with one rule, as messages (empty when it is fine). */
export function ruleProblems(rule: RedactionRule, hasHmac: boolean): string[] {
  const out: string[] = [];
  if (rule.detect !== "value" && rule.detect !== "secret_parameter" && !DETECTORS.includes(rule.detect))
    out.push(`detect "${String(rule.detect)}" is not a detector (${[...DETECTORS, "value"].join(", ")})`);
  if (!REDACT_ACTIONS.includes(rule.action)) out.push(`action must be one of ${REDACT_ACTIONS.join(", ")}`);
  if (rule.action === "truncate" && rule.detect !== "ip_address" && rule.detect !== "value")
    out.push("truncate applies to IP addresses only (detect ip_address or value)");
  if (rule.action === "hash" && !hasHmac) out.push("hash needs an HMAC key");
  for (const p of [rule.path ?? "**", ...(rule.except ?? [])]) out.push(...pathPatternProblems(p));
  return out;
}

/**
 * Compiles rules into a redactor. Rules are tried in order: for each value the first rule that replaces the whole
 * value wins, else every span rule's matches are replaced (overlapping matches are merged and credited to the first).
 * Plans are compiled once per path seen, so a record shape costs its compilation once.
 *
 * @example
 * const r = compileRedaction([...CREDENTIAL_RULES, { path: "user_id", detect: "value", action: "hash" }], { hmac });
 * r.redactJsonText('{"user":"a","password":"hunter2"}').value; // '{"user":"a","password":"[REDACTED:secret_field]"}'
 */
export function compileRedaction(rules: readonly RedactionRule[], options: RedactionOptions = {}): Redactor {
  const hmac = options.hmac;
  for (const r of rules) {
    const problems = ruleProblems(r, hmac !== undefined);
    if (problems.length > 0)
      throw new RedactionRuleError(`redaction rule ${JSON.stringify(r)}: ${problems.join("; ")}`);
  }
  const compiled: CompiledRule[] = rules.map((r) => ({
    target: r.detect,
    action: r.action,
    pattern: splitPath(r.path ?? "**"),
    except: (r.except ?? []).map(splitPath),
  }));
  const triggers = new Map<DetectorId, RegExp>();
  const triggerFor = (d: DetectorId) => {
    let t = triggers.get(d);
    if (!t) {
      t = new RegExp(triggerOf(d), "i");
      triggers.set(d, t);
    }
    return t;
  };
  // Every span step of every rule, for text whose fields are unknown.
  const anywhere: Step[] = [];
  for (const r of compiled) {
    if (WHOLE_TARGETS.has(r.target) || anywhere.some((s) => s.target === r.target)) continue;
    anywhere.push({ target: r.target, action: r.action, trigger: triggerFor(r.target as DetectorId) });
  }
  anywhere.sort((a, b) => DETECTORS.indexOf(a.target as DetectorId) - DETECTORS.indexOf(b.target as DetectorId));

  const makePlan = (path: string, extra: readonly Step[]): Plan => {
    const segs = splitPath(path);
    const key = segs[segs.length - 1] ?? "";
    let whole: Step | undefined;
    const spans: Step[] = [];
    let deep = extra.length > 0;
    for (const r of compiled) {
      if (!deep && matchesBelow(r.pattern, segs)) deep = true;
      if (!matchesPath(r.pattern, segs) || r.except.some((e) => matchesPath(e, segs))) continue;
      if (WHOLE_TARGETS.has(r.target) || (r.target === "secret_field" && isSecretKey(key))) {
        whole ??= { target: r.target, action: r.action };
        continue;
      }
      if (!spans.some((s) => s.target === r.target))
        spans.push({ target: r.target, action: r.action, trigger: triggerFor(r.target as DetectorId) });
    }
    for (const s of extra) if (!spans.some((x) => x.target === s.target)) spans.push(s);
    spans.sort((a, b) => DETECTORS.indexOf(a.target as DetectorId) - DETECTORS.indexOf(b.target as DetectorId));
    const trigger =
      spans.length === 0 ? undefined : new RegExp(spans.map((s) => triggerOf(s.target as DetectorId)).join("|"), "i");
    return { whole, spans, trigger, deep };
  };
  const cache = (extra: readonly Step[]) => {
    const plans = new Map<string, Plan>();
    return (path: string): Plan => {
      let p = plans.get(path);
      if (p) return p;
      p = makePlan(path, extra);
      if (plans.size < MAX_CACHED_PLANS) plans.set(path, p);
      return p;
    };
  };
  const planOf = cache([]);
  const planAnywhere = cache(anywhere);

  // The cheap pre-check of a JSON text: a text that does not match it holds nothing any rule below `path` changes.
  const subtrees = new Map<string, RegExp | "always" | "never">();
  const subtreeCheck = (path: string): RegExp | "always" | "never" => {
    let c = subtrees.get(path);
    if (c) return c;
    const segs = splitPath(path);
    const sources = new Set<string>();
    let always = false;
    for (const r of compiled) {
      if (!matchesPath(r.pattern, segs) && !matchesBelow(r.pattern, segs)) continue;
      if (WHOLE_TARGETS.has(r.target)) {
        const last = r.pattern[r.pattern.length - 1];
        if (last === undefined || last === "*" || last === "**" || r.pattern.length <= segs.length) always = true;
        else sources.add(escapeRegExp(last));
      } else {
        sources.add(triggerOf(r.target as DetectorId));
        if (r.target === "secret_field") sources.add(SECRET_KEY_FRAGMENTS);
      }
    }
    c = always ? "always" : sources.size === 0 ? "never" : new RegExp([...sources].join("|"), "i");
    if (subtrees.size < MAX_CACHED_PLANS) subtrees.set(path, c);
    return c;
  };

  const count = (counts: RedactionCounts, target: string, action: RedactAction) => {
    const byAction = counts[target] ?? {};
    counts[target] = byAction;
    byAction[action] = (byAction[action] ?? 0) + 1;
  };
  const hashOf = (text: string): string => (hmac as (t: string) => string)(text);
  const maskOf = (target: RuleTarget) => (target === "value" ? "[REDACTED]" : `[REDACTED:${target}]`);

  /** A whole string replaced by `step`: the new text, `null` for drop, or the input when nothing applies. */
  const wholeString = (step: Step, s: string, counts: RedactionCounts): string | null => {
    if (s === "") return s;
    let out: string | null;
    switch (step.action) {
      case "mask":
        out = maskOf(step.target);
        break;
      case "drop":
        out = null;
        break;
      case "hash":
        out = hashOf(s);
        break;
      case "truncate": {
        const t = truncateIp(s);
        if (t === undefined || t === s) return s;
        out = t;
        break;
      }
    }
    count(counts, step.target, step.action);
    return out;
  };

  // Spans found in one text: [start, end, step index] triples, reused between calls (redaction is synchronous).
  let found: number[] = [];
  const spanText = (plan: Plan, s: string, counts: RedactionCounts): string => {
    if (plan.trigger === undefined || !plan.trigger.test(s)) return s;
    found.length = 0;
    for (let k = 0; k < plan.spans.length; k++) {
      const step = plan.spans[k] as Step;
      if (!(step.trigger as RegExp).test(s)) continue;
      findSpans(step.target as DetectorId, s, (start, end) => {
        found.push(start, end, k);
      });
    }
    if (found.length === 0) return s;
    const order: number[] = [];
    for (let i = 0; i < found.length; i += 3) order.push(i);
    order.sort(
      (a, b) =>
        (found[a] as number) - (found[b] as number) ||
        (found[b + 1] as number) - (found[a + 1] as number) ||
        (found[a + 2] as number) - (found[b + 2] as number),
    );
    let out = "";
    let at = 0;
    for (let o = 0; o < order.length; ) {
      const i = order[o] as number;
      const start = found[i] as number;
      let end = found[i + 1] as number;
      const step = plan.spans[found[i + 2] as number] as Step;
      // Overlapping spans are merged, so no part of any match survives.
      for (o++; o < order.length && (found[order[o] as number] as number) < end; o++)
        end = Math.max(end, found[(order[o] as number) + 1] as number);
      const text = s.slice(start, end);
      let replacement: string;
      switch (step.action) {
        case "mask":
          replacement = maskOf(step.target);
          break;
        case "drop":
          replacement = "";
          break;
        case "hash":
          replacement = hashOf(text);
          break;
        case "truncate":
          replacement = truncateIp(text) ?? maskOf(step.target);
          break;
      }
      out += s.slice(at, start) + replacement;
      at = end;
      count(counts, step.target, step.action);
    }
    if (found.length > 3000) found = [];
    return out + s.slice(at);
  };

  const redactString = (plan: Plan, s: string, counts: RedactionCounts): string | null =>
    plan.whole ? wholeString(plan.whole, s, counts) : spanText(plan, s, counts);

  const jsonText = (
    text: string,
    base: string,
    plans: (path: string) => Plan,
    into: RedactionCounts,
  ): { value: string | null; json: boolean } => {
    // Counted apart until the text proves to be JSON: text that is not is redacted again as plain text.
    const counts: RedactionCounts = {};
    const edits = scanJson(text, base, plans, {
      string: (plan, token) => {
        const raw = token.indexOf("\\") === -1;
        const value = raw ? token.slice(1, -1) : (JSON.parse(token) as string);
        const out = redactString(plan, value, counts);
        if (out === value) return undefined;
        if (out === null) return null;
        return raw && plan.whole === undefined ? `"${out}"` : JSON.stringify(out);
      },
      number: (plan, token) => {
        if (plan.whole) {
          const out = plan.whole.action === "truncate" ? token : wholeString(plan.whole, token, counts);
          return out === token ? undefined : out === null ? null : JSON.stringify(out);
        }
        const card = plan.spans.find((s) => s.target === "card_number");
        if (!card || token.length < 13 || !isCardNumber(token)) return undefined;
        const out = wholeString(card.action === "truncate" ? { ...card, action: "mask" } : card, token, counts);
        return out === null ? null : JSON.stringify(out);
      },
      container: (plan, token) => {
        const step = plan.whole as Step;
        if (step.action === "truncate") return undefined;
        const out = wholeString(step, token, counts);
        return out === null ? null : JSON.stringify(out);
      },
    });
    if (edits === undefined) return { value: redactString(plans(base), text, into), json: false };
    mergeCounts(into, counts);
    if (edits === null) return { value: null, json: true };
    return { value: applyEdits(text, edits), json: true };
  };

  const walk = (path: string, value: unknown, json: boolean, counts: RedactionCounts): unknown => {
    if (typeof value === "string") {
      if (json) {
        const check = subtreeCheck(path);
        const plan = planOf(path);
        if (check === "never" && plan.whole === undefined) return value;
        if (check !== "always" && check !== "never" && plan.whole === undefined && !check.test(value)) return value;
        return jsonText(value, path, planOf, counts).value;
      }
      return redactString(planOf(path), value, counts);
    }
    if (typeof value === "number" && Number.isInteger(value) && value >= 1e12) {
      const plan = planOf(path);
      const card = plan.whole === undefined ? plan.spans.find((s) => s.target === "card_number") : undefined;
      if (card && isCardNumber(String(value)))
        return wholeString(card.action === "truncate" ? { ...card, action: "mask" } : card, String(value), counts);
      return value;
    }
    if (value === null || typeof value !== "object") return value;
    const plan = planOf(path);
    if (plan.whole && plan.whole.action !== "truncate") {
      const text = JSON.stringify(value) ?? "";
      return wholeString(plan.whole, text, counts);
    }
    if (!plan.deep) return value;
    if (Array.isArray(value)) {
      let copy: unknown[] | undefined;
      value.forEach((item, i) => {
        const out = walk(path, item, false, counts);
        if (out === item) return;
        copy ??= [...value];
        copy[i] = out;
      });
      return copy ?? value;
    }
    return walkObject(path, value as Record<string, unknown>, undefined, counts);
  };

  const walkObject = (
    path: string,
    record: Record<string, unknown>,
    jsonFields: ReadonlySet<string> | undefined,
    counts: RedactionCounts,
  ): Record<string, unknown> => {
    let copy: Record<string, unknown> | undefined;
    for (const key of Object.keys(record)) {
      const v = record[key];
      const out = walk(path === "" ? key : `${path}.${key}`, v, jsonFields?.has(key) === true, counts);
      if (out === v) continue;
      copy ??= { ...record };
      if (out === null) delete copy[key];
      else copy[key] = out;
    }
    return copy ?? record;
  };

  return {
    empty: compiled.length === 0,
    redactValue(path, value) {
      const counts: RedactionCounts = {};
      const out = walk(path, value, false, counts);
      return { value: out, changed: out !== value, counts };
    },
    redactJsonText(text, path = "") {
      const counts: RedactionCounts = {};
      const out = jsonText(text, path, planOf, counts);
      return { value: out.value, json: out.json, changed: out.value !== text, counts };
    },
    redactRecord<T extends Record<string, unknown>>(
      record: T,
      opts: { jsonFields?: ReadonlySet<string>; path?: string } = {},
    ) {
      const counts: RedactionCounts = {};
      const out = walkObject(opts.path ?? "", record, opts.jsonFields, counts) as T;
      return { value: out, changed: out !== record, counts };
    },
    redactRaw(text) {
      const counts: RedactionCounts = {};
      const out = jsonText(text, "", planAnywhere, counts).value ?? "";
      return { value: out, changed: out !== text, counts };
    },
  };
}

/** Adds one set of counts into another. */
export function mergeCounts(into: RedactionCounts, from: RedactionCounts): RedactionCounts {
  for (const [target, byAction] of Object.entries(from)) {
    const dest = into[target] ?? {};
    into[target] = dest;
    for (const [action, n] of Object.entries(byAction) as [RedactAction, number][])
      dest[action] = (dest[action] ?? 0) + n;
  }
  return into;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

// ─── JSON span scanner ─────────────────────────────────────────────────────────────────────────────────────────

interface Edit {
  start: number;
  end: number;
  text: string;
}

/** What replaces a value token: new JSON text, `null` to drop it, or undefined to keep it. */
interface TokenRedactors {
  string(plan: Plan, token: string): string | null | undefined;
  number(plan: Plan, token: string): string | null | undefined;
  /** Only called when the plan has a whole step. */
  container(plan: Plan, token: string): string | null | undefined;
}

interface Frame {
  readonly array: boolean;
  readonly path: string;
  /** Where the current member's key starts. */
  keyStart: number;
  /** End of the last member kept so far, or -1. */
  keptEnd: number;
  /** Start and end of a dropped member before any kept one, removed once the next key or the end is seen; or -1. */
  pending: number;
  pendingEnd: number;
  /** The value just read is dropped. */
  dropped: boolean;
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

function ws(text: string, i: number): number {
  for (;;) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 10 && c !== 13 && c !== 9) return i;
    i++;
  }
}

/** End (exclusive) of the JSON string starting at `i`, or -1. */
function stringEnd(text: string, i: number): number {
  for (let j = i + 1; j < text.length; j++) {
    const c = text.charCodeAt(j);
    if (c === 34) return j + 1;
    if (c === 92) j++;
    else if (c < 32) return -1;
  }
  return -1;
}

/** End (exclusive) of the JSON value starting at `i`, or -1 when it is not one. */
function valueEnd(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c === 34) return stringEnd(text, i);
  if (c === 123 || c === 91) {
    let depth = 0;
    for (let j = i; j < text.length; j++) {
      const d = text.charCodeAt(j);
      if (d === 34) {
        j = stringEnd(text, j) - 1;
        if (j < 0) return -1;
      } else if (d === 123 || d === 91) depth++;
      else if (d === 125 || d === 93) {
        depth--;
        if (depth === 0) return j + 1;
      }
    }
    return -1;
  }
  return scalarEnd(text, i);
}

function scalarEnd(text: string, i: number): number {
  if (text.startsWith("true", i) || text.startsWith("null", i)) return i + 4;
  if (text.startsWith("false", i)) return i + 5;
  NUMBER.lastIndex = i;
  return NUMBER.test(text) ? NUMBER.lastIndex : -1;
}

/**
 * Walks JSON text without building values, and returns the edits the token redactors ask for, in text order;
 * `null` when the root value itself is dropped, undefined when the text is not JSON. Iterative, so nesting depth
 * costs no stack.
 */
function scanJson(
  text: string,
  base: string,
  plans: (path: string) => Plan,
  redact: TokenRedactors,
): Edit[] | null | undefined {
  const edits: Edit[] = [];
  const stack: Frame[] = [];
  const remove = (start: number, end: number) => {
    const last = edits[edits.length - 1];
    if (last && last.text === "" && last.start <= start && last.end >= start) last.end = Math.max(last.end, end);
    else edits.push({ start, end, text: "" });
  };
  let i = ws(text, 0);
  let path = base;
  let rootDropped = false;
  // Replaces the value [start, end) or drops it (from its object, or as null in an array).
  const replace = (start: number, end: number, out: string | null) => {
    if (out !== null) {
      edits.push({ start, end, text: out });
      return;
    }
    const top = stack[stack.length - 1];
    if (!top) rootDropped = true;
    else if (top.array) edits.push({ start, end, text: "null" });
    else top.dropped = true;
  };
  for (;;) {
    // A value at `path`.
    const c = text.charCodeAt(i);
    const plan = plans(path);
    let end: number;
    if (c === 123 || c === 91) {
      let descend = plan.deep;
      end = -1;
      if (plan.whole || !plan.deep) {
        end = valueEnd(text, i);
        if (end === -1) return undefined;
        if (plan.whole) {
          const out = redact.container(plan, text.slice(i, end));
          if (out !== undefined) {
            replace(i, end, out);
            descend = false;
          }
        }
      }
      if (descend) {
        stack.push({ array: c === 91, path, keyStart: -1, keptEnd: -1, pending: -1, pendingEnd: -1, dropped: false });
        i = ws(text, i + 1);
        if (text.charCodeAt(i) !== (c === 91 ? 93 : 125)) {
          if (c === 123) {
            const k = readKey(text, i, stack[stack.length - 1] as Frame);
            if (k === undefined) return undefined;
            i = k.next;
            path = path === "" ? k.key : `${path}.${k.key}`;
          }
          continue;
        }
        stack.pop();
        end = i + 1;
      }
    } else if (c === 34) {
      end = stringEnd(text, i);
      if (end === -1) return undefined;
      if (plan.whole || plan.trigger) {
        const out = redact.string(plan, text.slice(i, end));
        if (out !== undefined) replace(i, end, out);
      }
    } else {
      end = scalarEnd(text, i);
      if (end === -1) return undefined;
      if ((plan.whole || plan.trigger) && c !== 116 && c !== 102 && c !== 110) {
        const out = redact.number(plan, text.slice(i, end));
        if (out !== undefined) replace(i, end, out);
      }
    }
    // After a value ending at `end`: close containers, or move to the next member.
    i = end;
    for (;;) {
      const top = stack[stack.length - 1];
      i = ws(text, i);
      if (!top) {
        if (i !== text.length) return undefined;
        return rootDropped ? null : edits;
      }
      if (!top.array) settleMember(top, end, remove);
      const d = text.charCodeAt(i);
      if (d === 44) {
        i = ws(text, i + 1);
        if (top.array) {
          path = top.path;
          break;
        }
        const keyStart = i;
        const k = readKey(text, i, top);
        if (k === undefined) return undefined;
        // A dropped first member goes with the separator after it.
        if (top.pending !== -1) {
          remove(top.pending, keyStart);
          top.pending = -1;
        }
        i = k.next;
        path = top.path === "" ? k.key : `${top.path}.${k.key}`;
        break;
      }
      if (d !== (top.array ? 93 : 125)) return undefined;
      if (!top.array && top.pending !== -1) remove(top.pending, top.pendingEnd);
      stack.pop();
      end = i + 1;
      i = end;
    }
  }
}

/** Records where the member that just ended goes: kept, or removed with the separator before or after it. */
function settleMember(top: Frame, end: number, remove: (start: number, end: number) => void): void {
  if (top.keyStart === -1) return;
  if (!top.dropped) top.keptEnd = end;
  else if (top.keptEnd !== -1) remove(top.keptEnd, end);
  else {
    top.pending = top.keyStart;
    top.pendingEnd = end;
  }
  top.dropped = false;
  top.keyStart = -1;
}

function readKey(text: string, i: number, frame: Frame): { key: string; next: number } | undefined {
  if (text.charCodeAt(i) !== 34) return undefined;
  const end = stringEnd(text, i);
  if (end === -1) return undefined;
  const token = text.slice(i, end);
  const key = token.indexOf("\\") === -1 ? token.slice(1, -1) : (JSON.parse(token) as string);
  const colon = ws(text, end);
  if (text.charCodeAt(colon) !== 58) return undefined;
  frame.keyStart = i;
  return { key, next: ws(text, colon + 1) };
}

function applyEdits(text: string, edits: readonly Edit[]): string {
  if (edits.length === 0) return text;
  let out = "";
  let at = 0;
  for (const e of edits) {
    out += text.slice(at, e.start) + e.text;
    at = e.end;
  }
  return out + text.slice(at);
}
