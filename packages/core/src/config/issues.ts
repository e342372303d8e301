import * as v from "valibot";
import { ConfigError } from "../errors.ts";
import { closestKey } from "./closest.ts";

/** One problem in a config, with the dotted path of the field (`destinations[0].bucket`). */
export interface ConfigIssue {
  field: string;
  message: string;
}

/** A config that failed validation; `issues` names every bad field, the message lists them on one line. */
export class ConfigValidationError extends ConfigError {
  override name = "ConfigError";
  constructor(readonly issues: ConfigIssue[]) {
    super(`invalid loglake config: ${issues.map((i) => `${i.field}: ${i.message}`).join("; ")}`);
  }
}

type Issue = v.BaseIssue<unknown>;

/** The dotted path of a valibot issue: `a.b[0].c`, or "" for the value itself. */
export function issuePath(issue: Issue): string {
  let out = "";
  for (const item of issue.path ?? []) {
    if (typeof item.key === "number") out += `[${item.key}]`;
    else out += out === "" ? String(item.key) : `.${String(item.key)}`;
  }
  return out;
}

/** Valibot issues as config issues, `prefix` (`deploy.`) in front of every field. */
export function toConfigIssues(issues: readonly Issue[], prefix = ""): ConfigIssue[] {
  return issues.map((i) => ({ field: `${prefix}${issuePath(i)}` || "(root)", message: i.message }));
}

// True when one path is the other or lies inside it.
function overlaps(a: string, b: string): boolean {
  const inside = (x: string, y: string) => x.startsWith(`${y}.`) || x.startsWith(`${y}[`);
  return a === "" || b === "" || a === b || inside(a, b) || inside(b, a);
}

function pathItems(path: string, input: unknown): [v.UnknownPathItem, ...v.UnknownPathItem[]] {
  const keys = path.match(/[^.[\]]+/g) ?? [path];
  const items = keys.map(
    (k): v.UnknownPathItem => ({
      type: "unknown",
      origin: "value",
      input,
      key: /^\d+$/.test(k) ? Number(k) : k,
      value: undefined,
    }),
  );
  return items as [v.UnknownPathItem, ...v.UnknownPathItem[]];
}

/** A rule over several fields: the bad fields (paths relative to the value) and what is wrong with each. */
export type Rule<T> = (value: T, clean: (path: string) => boolean) => [path: string, message: string][];

/**
 * Runs a rule that relates fields, even when other fields are bad, so one run names every problem. `clean(path)`
 * tells whether a field passed its own checks; a rule reads only clean fields.
 */
export function crossRule<T>(rule: Rule<T>) {
  return v.rawCheck<T>(({ dataset, addIssue }) => {
    const value: unknown = dataset.value;
    if (typeof value !== "object" || value === null) return;
    const dirty = (dataset.issues ?? []).map(issuePath);
    // The value itself is of the wrong type: nothing to relate.
    if (dirty.includes("")) return;
    const clean = (path: string) => !dirty.some((d) => overlaps(d, path));
    for (const [path, message] of rule(dataset.value as T, clean)) {
      addIssue({ message, path: pathItems(path, value) });
    }
  });
}

/** A check that reports every problem `find` returns for a value of the right type. */
export function problems<T>(find: (value: T) => readonly string[]) {
  return v.rawCheck<T>(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    for (const message of find(dataset.value)) addIssue({ message });
  });
}

function nestedKeys(entries: v.ObjectEntries, prefix: string): string[] {
  return Object.entries(entries).flatMap(([key, schema]) => {
    const path = `${prefix}${key}`;
    let s: unknown = schema;
    while (typeof s === "object" && s !== null && "wrapped" in s) s = s.wrapped;
    const inner = typeof s === "object" && s !== null && "entries" in s ? (s.entries as v.ObjectEntries) : undefined;
    return inner ? [path, ...nestedKeys(inner, `${path}.`)] : [path];
  });
}

/** "unknown key "x" (did you mean "y"?)", naming a nested key by its path from here. */
function unknownKeyMessage(key: string, known: readonly string[], noun: string): string {
  const guess = closestKey(key, known);
  if (guess !== undefined) return `unknown ${noun} "${key}" (did you mean "${guess}"?)`;
  const here = known.filter((k) => !k.includes("."));
  return `unknown ${noun} "${key}" (known: ${here.join(", ")})`;
}

/**
 * An object that accepts only its own keys: an unknown key is an error naming the closest known key, looked for
 * among these keys and, by path, the keys of the objects inside. For other nouns (`source`, `export`) only the
 * keys at this level are candidates.
 */
export function strict<const E extends v.ObjectEntries>(entries: E, noun = "key") {
  const known = noun === "key" ? nestedKeys(entries, "") : Object.keys(entries);
  return v.strictObject(entries, (issue) => {
    if (issue.expected === "never") return unknownKeyMessage(String(issue.input), known, noun);
    if (issue.path !== undefined) return "is required";
    return "must be an object";
  });
}
