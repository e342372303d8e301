/** Splits decoded text chunks into lines (without `\n`, `\r\n` tolerated), numbered from 1. */
export async function* lines(text: AsyncIterable<string>): AsyncIterable<{ line: number; text: string }> {
  let rest = "";
  let n = 0;
  for await (const chunk of text) {
    const buf = rest + chunk;
    let start = 0;
    let nl = buf.indexOf("\n", start);
    while (nl !== -1) {
      n++;
      const end = nl > start && buf.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      yield { line: n, text: buf.slice(start, end) };
      start = nl + 1;
      nl = buf.indexOf("\n", start);
    }
    rest = buf.slice(start);
  }
  if (rest.length > 0) {
    n++;
    yield { line: n, text: rest.endsWith("\r") ? rest.slice(0, -1) : rest };
  }
}

/** Maximum raw text kept in a quarantine row. */
export const RAW_LIMIT = 64 * 1024;

/** Cuts raw text to the quarantine limit. */
export function clipRaw(raw: string): { raw: string; truncated: boolean } {
  return raw.length <= RAW_LIMIT ? { raw, truncated: false } : { raw: raw.slice(0, RAW_LIMIT), truncated: true };
}
