/** Input that cannot be read as a whole (not a single bad line). */
export class ParseError extends Error {
  override name = "ParseError";
}

/** A row that violates its table's schema: a bug in a parser, never bad input. */
export class SchemaError extends Error {
  override name = "SchemaError";
}

/** Invalid configuration; thrown at start-up with the offending field named. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Narrows an unknown thrown value to an Error. */
export function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}
