import { DETECTORS, type DetectorId, findSpans, isCardNumber, shortestOf, triggerOf } from "./detectors.ts";
import { truncateIp } from "./ip.ts";
import { isSecretKey, SECRET_KEY_FRAGMENTS } from "./keys.ts";
import { keyBelow, matchesBelow, matchesPath, type PathPattern, pathPatternProblems, splitPath } from "./paths.ts";

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
    options?: {
      jsonFields?: ReadonlySet<string>;
      path?: string;
      /** The only top-level fields to look at (default every own key). */
      fields?: readonly string[];
    },
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
  /** For span steps: texts shorter than this hold nothing the detector finds. */
  readonly shortest?: number;
}

interface Plan {
  readonly path: string;
  /** Plans of the keys below, filled as they are met. */
  readonly children: Map<string, Plan>;
  /** The card-number span step, for JSON numbers. */
  readonly card: Step | undefined;
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
  const spanStep = (d: DetectorId, action: RedactAction): Step => ({
    target: d,
    action,
    trigger: triggerFor(d),
    shortest: shortestOf(d),
  });
  // Every span step of every rule, for text whose fields are unknown.
  const anywhere: Step[] = [];
  for (const r of compiled) {
    if (WHOLE_TARGETS.has(r.target) || anywhere.some((s) => s.target === r.target)) continue;
    anywhere.push(spanStep(r.target as DetectorId, r.action));
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
      if (!spans.some((s) => s.target === r.target)) spans.push(spanStep(r.target as DetectorId, r.action));
    }
    for (const s of extra) if (!spans.some((x) => x.target === s.target)) spans.push(s);
    spans.sort((a, b) => DETECTORS.indexOf(a.target as DetectorId) - DETECTORS.indexOf(b.target as DetectorId));
    // Every trigger is a plain top-level alternation, so the union is their alternatives without repeats.
    const sources = [...new Set(spans.flatMap((s) => triggerOf(s.target as DetectorId).split("|")))];
    const trigger = spans.length === 0 ? undefined : new RegExp(sources.join("|"), "i");
    const found = spans.find((s) => s.target === "card_number");
    const card = found && found.action === "truncate" ? { ...found, action: "mask" as const } : found;
    return { path, children: new Map(), card, whole, spans, trigger, deep };
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

  // The cheap pre-check of a JSON text: a text that `hits` never matches holds nothing a span rule below `path`
  // changes, and unless `always` (a whole-value rule whose key cannot be looked for) nothing at all. A whole-value
  // rule below `path` is looked for by a key its paths must hold: the last one, whose value is all it replaces, or
  // else an earlier one (`variables` of `environment.variables.*`), whose members after the hit it replaces too, so
  // such a text is read to its end (`stops` false).
  interface Subtree {
    readonly always: boolean;
    readonly stops: boolean;
    readonly hits: RegExp | undefined;
  }
  const subtrees = new Map<string, Subtree>();
  const subtreeOf = (path: string): Subtree => {
    let c = subtrees.get(path);
    if (c) return c;
    const segs = splitPath(path);
    const sources = new Set<string>();
    let always = false;
    let stops = true;
    for (const r of compiled) {
      if (!matchesPath(r.pattern, segs) && !matchesBelow(r.pattern, segs)) continue;
      const parts: string[] = [];
      if (WHOLE_TARGETS.has(r.target)) {
        const key = keyBelow(r.pattern, segs.length);
        if (key === undefined) always = true;
        else {
          parts.push(escapeRegExp(key.name));
          if (!key.last) stops = false;
        }
      } else {
        parts.push(triggerOf(r.target as DetectorId));
        if (r.target === "secret_field") parts.push(SECRET_KEY_FRAGMENTS);
      }
      for (const x of parts) for (const y of x.split("|")) sources.add(y);
    }
    // A `\u` escape can spell a name or value (`"\u0070assword"`) that no pre-check sees in the raw text: it
    // counts as a hit, so the scan reads up to it and decodes it.
    if (sources.size > 0) sources.add("\\\\u");
    c = { always, stops, hits: sources.size === 0 ? undefined : new RegExp([...sources].join("|"), "gi") };
    if (subtrees.size < MAX_CACHED_PLANS) subtrees.set(path, c);
    return c;
  };
  // Where the pre-check matched in the text being scanned, and the first one not yet passed.
  const hitAt: number[] = [];
  let hitNext = 0;
  let hitsKnown = false;
  const findHits = (re: RegExp, text: string): number => {
    hitAt.length = 0;
    hitNext = 0;
    re.lastIndex = 0;
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      hitAt.push(m.index);
      if (m[0].length === 0) re.lastIndex++;
    }
    return hitAt.length;
  };
  /** False when no pre-check match lies inside `[start, end)` of a token without escapes: nothing to look at. */
  const mayHold = (start: number, end: number, escaped: boolean): boolean => {
    if (!hitsKnown || escaped) return true;
    while (hitNext < hitAt.length && (hitAt[hitNext] as number) < start) hitNext++;
    return hitNext < hitAt.length && (hitAt[hitNext] as number) < end;
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
  let foundStep = 0;
  const pushFound = (start: number, end: number) => {
    found.push(start, end, foundStep);
  };
  const spanText = (plan: Plan, s: string, counts: RedactionCounts): string => {
    if (plan.trigger === undefined || !plan.trigger.test(s)) return s;
    found.length = 0;
    for (let k = 0; k < plan.spans.length; k++) {
      const step = plan.spans[k] as Step;
      if (s.length < (step.shortest as number) || !(step.trigger as RegExp).test(s)) continue;
      foundStep = k;
      findSpans(step.target as DetectorId, s, pushFound);
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

  // The counts the token redactors add to: set by `jsonText` around each scan (redaction is synchronous).
  let scanCounts: RedactionCounts = {};
  const tokens: TokenRedactors = {
    string(plan, text, start, end, escaped) {
      if (plan.whole === undefined && !mayHold(start, end, escaped)) return undefined;
      const token = text.slice(start, end);
      const raw = !escaped;
      const value = raw ? token.slice(1, -1) : (JSON.parse(token) as string);
      const out = redactString(plan, value, scanCounts);
      if (out === value) return undefined;
      if (out === null) return null;
      return raw && plan.whole === undefined ? `"${out}"` : JSON.stringify(out);
    },
    number(plan, token) {
      if (plan.whole) {
        const out = plan.whole.action === "truncate" ? token : wholeString(plan.whole, token, scanCounts);
        return out === token ? undefined : out === null ? null : JSON.stringify(out);
      }
      const card = plan.card;
      if (!card || token.length < 13 || !isCardNumber(token)) return undefined;
      const out = wholeString(card, token, scanCounts);
      return out === null ? null : JSON.stringify(out);
    },
    container(plan, token) {
      const step = plan.whole as Step;
      if (step.action === "truncate") return undefined;
      const out = wholeString(step, token, scanCounts);
      return out === null ? null : JSON.stringify(out);
    },
  };

  // The common case of a JSON column whose pre-check hits all sit in string members of a flat top-level object (a
  // CloudTrail identity's exempt `accessKeyId`): whether the full scan would end, before `stopAfter` is passed, with
  // no edit. It reads exactly what `scanJson` reads, in the same order, with the same plans and token redaction, and
  // answers false (run the full scan) on anything else: nesting, numbers, escapes, a whole-value step, a change.
  const flatUnchanged = (text: string, root: Plan, stopAfter: number): boolean => {
    if (root.whole !== undefined || !root.deep) return false;
    let i = ws(text, 0);
    if (text.charCodeAt(i) !== 123) return false;
    i = ws(text, i + 1);
    let hit = 0;
    for (;;) {
      if (text.charCodeAt(i) !== 34) return false;
      const keyEnd = stringEnd(text, i);
      if (keyEnd === -1 || SCAN.escaped) return false;
      const colon = ws(text, keyEnd);
      if (text.charCodeAt(colon) !== 58) return false;
      const start = ws(text, colon + 1);
      const plan = childPlan(root, text.slice(i + 1, keyEnd - 1), planOf);
      if (plan.whole !== undefined) return false;
      const c = text.charCodeAt(start);
      let end: number;
      if (c === 34) {
        end = stringEnd(text, start);
        if (end === -1 || SCAN.escaped) return false;
        while (hit < hitAt.length && (hitAt[hit] as number) < start) hit++;
        if (plan.trigger !== undefined && hit < hitAt.length && (hitAt[hit] as number) < end) {
          const value = text.slice(start + 1, end - 1);
          if (spanText(plan, value, {}) !== value) return false;
        }
      } else if (c === 116 || c === 102 || c === 110) {
        end = scalarEnd(text, start);
        if (end === -1) return false;
      } else return false;
      const d = ws(text, end);
      if (text.charCodeAt(d) === 125) return ws(text, d + 1) === text.length;
      if (text.charCodeAt(d) !== 44) return false;
      i = ws(text, d + 1);
      if (i > stopAfter) return true;
    }
  };

  const jsonText = (
    text: string,
    base: string,
    plans: (path: string) => Plan,
    into: RedactionCounts,
    hits?: RegExp,
    /** Text known to be JSON, whose pre-check hits were found: nothing after the last one is read. */
    stopAfter = -1,
  ): { value: string | null; json: boolean } => {
    // Counted apart until the text proves to be JSON: text that is not is redacted again as plain text.
    const counts: RedactionCounts = {};
    scanCounts = counts;
    hitsKnown = hits !== undefined;
    const edits = scanJson(text, plans(base), plans, tokens, stopAfter);
    hitsKnown = false;
    if (edits === undefined) return { value: redactString(plans(base), text, into), json: false };
    mergeCounts(into, counts);
    if (edits === null) return { value: null, json: true };
    return { value: applyEdits(text, edits), json: true };
  };

  /** JSON text held by a field at `path`: the pre-check decides what of it is read. */
  const jsonColumn = (
    path: string,
    plan: Plan,
    sub: Subtree,
    value: string,
    counts: RedactionCounts,
  ): string | null => {
    const found = sub.hits ? findHits(sub.hits, value) : 0;
    if (found === 0 && !sub.always && plan.whole === undefined) return value;
    return jsonHits(path, plan, sub, value, counts, found);
  };
  /** `jsonColumn` once the pre-check found `found` hits, their places in `hitAt`. */
  const jsonHits = (
    path: string,
    plan: Plan,
    sub: Subtree,
    value: string,
    counts: RedactionCounts,
    found: number,
  ): string | null => {
    const last = sub.always || !sub.stops || found === 0 ? -1 : (hitAt[found - 1] as number);
    if (last !== -1 && flatUnchanged(value, plan, last)) return value;
    return jsonText(value, path, planOf, counts, sub.hits, last).value;
  };

  const walk = (path: string, value: unknown, json: boolean, counts: RedactionCounts): unknown => {
    if (typeof value === "string") {
      if (json) return jsonColumn(path, planOf(path), subtreeOf(path), value, counts);
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
    fields?: readonly string[],
  ): Record<string, unknown> => {
    let copy: Record<string, unknown> | undefined;
    for (const key of fields ?? Object.keys(record)) {
      if (!Object.hasOwn(record, key)) continue;
      const v = record[key];
      const out = walk(path === "" ? key : `${path}.${key}`, v, jsonFields?.has(key) === true, counts);
      if (out === v) continue;
      copy ??= { ...record };
      if (out === null) delete copy[key];
      else copy[key] = out;
    }
    return copy ?? record;
  };

  // Records of one shape (a table's rows) name the same fields every time: their plans are looked up once.
  const shapes = new WeakMap<readonly string[], { plans: Plan[]; subs: (Subtree | undefined)[]; memos: FieldMemo[] }>();
  const memoOf = memoBudget();
  const flatRecord = (
    record: Record<string, unknown>,
    fields: readonly string[],
    jsonFields: ReadonlySet<string> | undefined,
    counts: RedactionCounts,
  ): Record<string, unknown> => {
    let shape = shapes.get(fields);
    if (!shape) {
      shape = {
        plans: fields.map(planOf),
        subs: fields.map((f) => (jsonFields?.has(f) ? subtreeOf(f) : undefined)),
        memos: fields.map(() => new FieldMemo()),
      };
      shapes.set(fields, shape);
    }
    let copy: Record<string, unknown> | undefined;
    for (let i = 0; i < fields.length; i++) {
      const key = fields[i] as string;
      const v = record[key];
      if (typeof v !== "string" || v.length === 0) {
        if (v !== undefined && v !== null && typeof v !== "string") {
          const out = walk(key, v, false, counts);
          if (out !== v) {
            copy ??= { ...record };
            if (out === null) delete copy[key];
            else copy[key] = out;
          }
        }
        continue;
      }
      const plan = shape.plans[i] as Plan;
      const sub = shape.subs[i];
      // Text the pre-check passes is kept without a look-up: the memo is for values there is work to repeat.
      let found = 0;
      if (sub === undefined) {
        if (plan.whole === undefined && (plan.trigger === undefined || !plan.trigger.test(v))) continue;
      } else {
        found = sub.hits ? findHits(sub.hits, v) : 0;
        if (found === 0 && !sub.always && plan.whole === undefined) continue;
      }
      const memo = shape.memos[i] as FieldMemo;
      let out: string | null;
      const seen = memo.get(v);
      if (seen !== undefined) {
        if (seen.counts !== undefined) mergeCounts(counts, seen.counts);
        out = seen.value;
      } else {
        // Counted apart while the memo may keep the result, so a repeat of the value adds the same counts.
        const into: RedactionCounts = memo.keeps(v) ? {} : counts;
        if (sub === undefined) out = redactString(plan, v, into);
        else out = jsonHits(key, plan, sub, v, into, found);
        if (into !== counts) {
          mergeCounts(counts, into);
          memoOf(memo, v, out, into);
        }
      }
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
      opts: { jsonFields?: ReadonlySet<string>; path?: string; fields?: readonly string[] } = {},
    ) {
      const counts: RedactionCounts = {};
      const out = (
        opts.fields && opts.path === undefined
          ? flatRecord(record, opts.fields, opts.jsonFields, counts)
          : walkObject(opts.path ?? "", record, opts.jsonFields, counts, opts.fields)
      ) as T;
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

// ─── Results of repeated values ────────────────────────────────────────────────────────────────────────────────

/** A value's redaction as a memo keeps it: the result and what it counted (undefined when nothing). */
interface Memoized {
  readonly value: string | null;
  readonly counts: RedactionCounts | undefined;
}

// Columns repeat their values (a user agent, an ARN, a TLS block, one session's identity): a column's results are
// kept for values of MEMO_MIN_CHARS (shorter ones cost less to search than to look up) to MEMO_MAX_CHARS, MEMO_ENTRIES per column and MEMO_BUDGET_CHARS per redactor. A column whose
// values seldom repeat (ids, times) is looked up only now and then, so it costs next to nothing.
const MEMO_MIN_CHARS = 32;
const MEMO_MAX_CHARS = 4096;
const MEMO_ENTRIES = 256;
const MEMO_BUDGET_CHARS = 1 << 20;
const MEMO_WINDOW = 1024;
const MEMO_REST_WINDOWS = 16;

/** One column's memo of results: a value's redaction is a function of the value and the column alone. */
class FieldMemo {
  readonly values = new Map<string, Memoized>();
  chars = 0;
  private lookups = 0;
  private hits = 0;
  /** Windows of lookups left to skip after a window whose values seldom repeated. */
  private resting = 0;

  get(v: string): Memoized | undefined {
    if (this.resting > 0 || v.length < MEMO_MIN_CHARS || v.length > MEMO_MAX_CHARS) return undefined;
    const m = this.values.get(v);
    if (m !== undefined) this.hits++;
    return m;
  }

  /** Counts a lookup that missed; true when its result is to be kept. */
  keeps(v: string): boolean {
    if (v.length < MEMO_MIN_CHARS || v.length > MEMO_MAX_CHARS) return false;
    if (this.resting > 0) {
      if (++this.lookups === MEMO_WINDOW) {
        this.lookups = 0;
        this.resting--;
      }
      return false;
    }
    if (++this.lookups + this.hits >= MEMO_WINDOW) {
      // Fewer than one value in four repeated: rest.
      if (this.hits * 4 < MEMO_WINDOW) this.resting = MEMO_REST_WINDOWS;
      this.lookups = 0;
      this.hits = 0;
    }
    return this.resting === 0;
  }
}

/** Keeps results in column memos within one shared budget of characters; a full memo starts over. */
function memoBudget(): (memo: FieldMemo, v: string, out: string | null, counts: RedactionCounts) => void {
  let chars = 0;
  return (memo, v, out, counts) => {
    const size = v.length + (out === null || out === v ? 0 : out.length);
    if (memo.values.size >= MEMO_ENTRIES || chars + size > MEMO_BUDGET_CHARS) {
      chars -= memo.chars;
      memo.values.clear();
      memo.chars = 0;
      if (chars + size > MEMO_BUDGET_CHARS) return;
    }
    const key = detached(v);
    const value = out === v ? key : out === null ? null : detached(out);
    memo.values.set(key, { value, counts: Object.keys(counts).length === 0 ? undefined : counts });
    memo.chars += size;
    chars += size;
  };
}

/** A copy of the text that holds no reference to a larger string it was cut from. */
export function detached(s: string): string {
  // Concatenation then slicing copies the characters into a string of their own (a plain slice would keep the
  // whole object's text alive).
  return `${s} `.slice(0, -1);
}

/** `s` as a regular expression source that matches exactly it. */
export function escapeRegExp(s: string): string {
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
  /** The string token `text[start, end)`; `escaped` when it holds a backslash escape. */
  string(plan: Plan, text: string, start: number, end: number, escaped: boolean): string | null | undefined;
  number(plan: Plan, token: string): string | null | undefined;
  /** Only called when the plan has a whole step. */
  container(plan: Plan, token: string): string | null | undefined;
}

interface Frame {
  readonly array: boolean;
  readonly plan: Plan;
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

// Whether the string `stringEnd` read last held an escape (scanning is synchronous).
const SCAN = { escaped: false };

// A run of string characters that need no look: no quote, backslash or control character.
// biome-ignore lint/suspicious/noControlCharactersInRegex: JSON strings may not hold raw control characters, so the run stops at them.
const PLAIN_RUN = /[^"\\\x00-\x1f]*/y;

/** End (exclusive) of the JSON string starting at `i`, or -1. */
function stringEnd(text: string, i: number): number {
  SCAN.escaped = false;
  PLAIN_RUN.lastIndex = i + 1;
  const from = PLAIN_RUN.test(text) ? PLAIN_RUN.lastIndex : i + 1;
  for (let j = from; j < text.length; j++) {
    const c = text.charCodeAt(j);
    if (c === 34) return j + 1;
    if (c === 92) {
      SCAN.escaped = true;
      j++;
    } else if (c < 32) return -1;
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

function pushRemoval(edits: Edit[], start: number, end: number): void {
  const last = edits[edits.length - 1];
  if (last && last.text === "" && last.start <= start && last.end >= start) last.end = Math.max(last.end, end);
  else edits.push({ start, end, text: "" });
}

/** The plan of `key` below `parent`, cached on the parent. */
function childPlan(parent: Plan, key: string, plans: (path: string) => Plan): Plan {
  let p = parent.children.get(key);
  if (p) return p;
  p = plans(parent.path === "" ? key : `${parent.path}.${key}`);
  if (parent.children.size < 256) parent.children.set(key, p);
  return p;
}

/**
 * Walks JSON text without building values, and returns the edits the token redactors ask for, in text order;
 * `null` when the root value itself is dropped, undefined when the text is not JSON. Iterative, so nesting depth
 * costs no stack.
 */
function scanJson(
  text: string,
  root: Plan,
  plans: (path: string) => Plan,
  redact: TokenRedactors,
  stopAfter = -1,
): Edit[] | null | undefined {
  // Past `stopAfter` (the last pre-check hit of text known to be JSON) no member or element can change: the scan
  // ends at the next one, unless a dropped member still waits for its separator.
  const settled = (at: number) => stopAfter >= 0 && at > stopAfter && stack.every((f) => f.pending === -1);
  const edits: Edit[] = [];
  const stack: Frame[] = [];
  let i = ws(text, 0);
  let plan = root;
  let rootDropped = false;
  for (;;) {
    // A value with plan `plan`; `out` is what replaces it, if anything.
    const c = text.charCodeAt(i);
    const start = i;
    let end = -1;
    let out: string | null | undefined;
    if (c === 123 || c === 91) {
      let descend = plan.deep;
      if (plan.whole || !plan.deep) {
        end = valueEnd(text, i);
        if (end === -1) return undefined;
        if (plan.whole) {
          out = redact.container(plan, text.slice(i, end));
          if (out !== undefined) descend = false;
        }
      }
      if (descend) {
        const frame: Frame = {
          array: c === 91,
          plan,
          keyStart: -1,
          keptEnd: -1,
          pending: -1,
          pendingEnd: -1,
          dropped: false,
        };
        stack.push(frame);
        i = ws(text, i + 1);
        if (text.charCodeAt(i) !== (c === 91 ? 93 : 125)) {
          if (c === 123) {
            const next = readKey(text, i, frame);
            if (next === undefined) return undefined;
            plan = childPlan(frame.plan, KEY.key, plans);
            i = next;
          }
          continue;
        }
        stack.pop();
        end = i + 1;
      }
    } else if (c === 34) {
      end = stringEnd(text, i);
      if (end === -1) return undefined;
      if (plan.whole || plan.trigger) out = redact.string(plan, text, i, end, SCAN.escaped);
    } else {
      end = scalarEnd(text, i);
      if (end === -1) return undefined;
      if ((plan.whole || plan.card) && c !== 116 && c !== 102 && c !== 110)
        out = redact.number(plan, text.slice(i, end));
    }
    if (out !== undefined) {
      const top = stack[stack.length - 1];
      if (out !== null) edits.push({ start, end, text: out });
      else if (!top) rootDropped = true;
      else if (top.array) edits.push({ start, end, text: "null" });
      else top.dropped = true;
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
      if (!top.array) settleMember(top, end, edits);
      const d = text.charCodeAt(i);
      if (d === 44) {
        i = ws(text, i + 1);
        if (settled(i)) return rootDropped ? null : edits;
        if (top.array) {
          plan = top.plan;
          break;
        }
        const keyStart = i;
        const next = readKey(text, i, top);
        if (next === undefined) return undefined;
        // A dropped first member goes with the separator after it.
        if (top.pending !== -1) {
          pushRemoval(edits, top.pending, keyStart);
          top.pending = -1;
        }
        plan = childPlan(top.plan, KEY.key, plans);
        i = next;
        break;
      }
      if (d !== (top.array ? 93 : 125)) return undefined;
      if (!top.array && top.pending !== -1) pushRemoval(edits, top.pending, top.pendingEnd);
      stack.pop();
      end = i + 1;
      i = end;
    }
  }
}

/** Records where the member that just ended goes: kept, or removed with the separator before or after it. */
function settleMember(top: Frame, end: number, edits: Edit[]): void {
  if (top.keyStart === -1) return;
  if (!top.dropped) top.keptEnd = end;
  else if (top.keptEnd !== -1) pushRemoval(edits, top.keptEnd, end);
  else {
    top.pending = top.keyStart;
    top.pendingEnd = end;
  }
  top.dropped = false;
  top.keyStart = -1;
}

// The key `readKey` read last (scanning is synchronous).
const KEY = { key: "" };

/** Reads a member's key and colon at `i`; returns where its value starts, or undefined when it is no key. */
function readKey(text: string, i: number, frame: Frame): number | undefined {
  if (text.charCodeAt(i) !== 34) return undefined;
  const end = stringEnd(text, i);
  if (end === -1) return undefined;
  KEY.key = SCAN.escaped ? (JSON.parse(text.slice(i, end)) as string) : text.slice(i + 1, end - 1);
  const colon = ws(text, end);
  if (text.charCodeAt(colon) !== 58) return undefined;
  frame.keyStart = i;
  return ws(text, colon + 1);
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
