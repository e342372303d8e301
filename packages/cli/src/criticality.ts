import {
  CRITICALITIES,
  type Criticality,
  criticalityMap,
  DEFAULT_CRITICALITY,
  STATUS_TABLES,
} from "@app/core/status/index";
import type { Command } from "commander";
import { InputError } from "./errors.ts";
import { closest, commaList } from "./values.ts";

// Streams of app_events are split by event type, and an app may log types of its own.
const TYPED_TABLE = "app_events";
export const KNOWN_STREAMS = [...new Set([...STATUS_TABLES, ...Object.keys(DEFAULT_CRITICALITY)])].sort();

export type CriticalityOptions = Partial<Record<Criticality, string>>;

/** A stream named on the command line: a watched table, or `app_events.<type>`; a typo names the closest stream. */
function checkStream(flag: string, stream: string): string {
  const table = stream.split(".")[0] as string;
  const ok = stream.includes(".")
    ? table === TYPED_TABLE && /^[a-z_]+\.[a-z0-9_-]+$/.test(stream)
    : STATUS_TABLES.includes(stream);
  if (ok) return stream;
  const near = closest(stream, KNOWN_STREAMS);
  throw new InputError(
    `${flag} ${stream}: unknown stream${near ? `; did you mean ${near}?` : ""} (streams: ${KNOWN_STREAMS.join(", ")}, or ${TYPED_TABLE}.<type>)`,
  );
}

/** `--critical`, `--standard` and `--optional`, the same for `loglake status` and `loglake report`. */
export function addCriticalityOptions(cmd: Command, what: { critical: string; standard: string; optional: string }) {
  return cmd
    .option("--critical <streams>", what.critical)
    .option("--standard <streams>", what.standard)
    .option("--optional <streams>", what.optional);
}

/** The criticality of every stream: the defaults, with the streams the options name set to their level. */
export function criticalityFromOptions(opts: CriticalityOptions): Record<string, Criticality> {
  const overrides: Partial<Record<Criticality, string[]>> = {};
  const levelOf = new Map<string, Criticality>();
  for (const level of CRITICALITIES) {
    overrides[level] = commaList(opts[level]).map((s) => checkStream(`--${level}`, s));
    for (const s of overrides[level] ?? []) {
      const other = levelOf.get(s);
      if (other && other !== level) throw new InputError(`${s} is given as both --${other} and --${level}`);
      levelOf.set(s, level);
    }
  }
  return criticalityMap(overrides);
}
