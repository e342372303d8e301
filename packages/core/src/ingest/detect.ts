import type { LogSource, SourceId } from "../sources/types.ts";

/** Decoded text read ahead for detection (it is replayed to the parser afterwards). */
export const SNIFF_CHARS = 64 * 1024;

/** Lines a sample past a long first line should hold. */
export const SAMPLE_LINES = 16;

/**
 * Picks the source for an object from its head, strongest evidence first: the forced id, the key, then the content.
 * Undefined when none fits; `sampleSource` and `parentFolderSource` can then look further.
 */
export function detectSource(
  sources: readonly LogSource[],
  key: string,
  head: string,
  forced?: SourceId,
): LogSource | undefined {
  if (forced) return sources.find((s) => s.id === forced);
  return sources.find((s) => s.matchKey(key)) ?? sources.find((s) => s.sniff(head));
}

/**
 * Sniffs a sample made of the first lines of the text read so far, each cut to `SNIFF_CHARS`: a first line longer
 * than the head (a 5 MB line) then no longer hides the lines after it.
 */
export function sampleSource(sources: readonly LogSource[], chunks: readonly string[]): LogSource | undefined {
  const sample = lineSample(chunks, SAMPLE_LINES, SNIFF_CHARS);
  return sources.find((s) => s.sniff(sample));
}

/** The first `maxLines` lines of the chunks, each cut to `clip` characters, joined by newlines. */
export function lineSample(chunks: readonly string[], maxLines: number, clip: number): string {
  const out: string[] = [];
  let line = "";
  for (const chunk of chunks) {
    let start = 0;
    for (let nl = chunk.indexOf("\n"); nl !== -1; nl = chunk.indexOf("\n", start)) {
      if (line.length < clip) line += chunk.slice(start, Math.min(nl, start + clip - line.length));
      out.push(line);
      if (out.length === maxLines) return out.join("\n");
      line = "";
      start = nl + 1;
    }
    if (line.length < clip) line += chunk.slice(start, Math.min(chunk.length, start + clip - line.length));
  }
  if (line.length > 0) out.push(line);
  return out.join("\n");
}

/**
 * The weakest evidence, used when the content fits no source: a parent folder that names one. Each tail of the key
 * (`srv/apps/auth/x.jsonl`, `apps/auth/x.jsonl`, …) is matched as a key of its own, so a local file under
 * `…/apps/auth/` is read as app logs, each bad line quarantined where it is, rather than as one unknown object.
 */
export function parentFolderSource(sources: readonly LogSource[], key: string): LogSource | undefined {
  const parts = key.split("/").filter((p) => p.length > 0);
  for (let i = 1; i < parts.length; i++) {
    const tail = parts.slice(i).join("/");
    const match = sources.find((s) => s.matchKey(tail));
    if (match) return match;
  }
  return undefined;
}

/** Newlines in `text`, counting no further than `max`. */
export function countNewlines(text: string, max: number): number {
  let n = 0;
  for (let i = text.indexOf("\n"); i !== -1 && n < max; i = text.indexOf("\n", i + 1)) n++;
  return n;
}
