import { lines } from "@app/core/ingest/text";
import { appEventsTable } from "@app/core/sources/app-json/schema";
import type { LogSource } from "@app/core/sources/types";

/** Lines of a poison object start with this; the key of a poison S3 object or file name may too. */
export const POISON = "POISON";

/**
 * A source whose rows the lake writer cannot store: every line of an object starting with `POISON` becomes an
 * `app_events` row with a status code beyond INT32, which DuckDB refuses when it converts the staged rows. The
 * registered parsers check ranges, so none lets such a value through; this one stands for the parser bug or the
 * unforeseen value that would, to prove that a writer failure costs only the object (or record) that caused it.
 * Lines read `POISON <ISO time> <message>`.
 */
export const poisonSource: LogSource = {
  id: "app_json",
  description: "test source whose rows DuckDB refuses",
  tables: [appEventsTable],
  matchKey: () => false,
  sniff: (head) => head.startsWith(POISON),
  async *parse(text) {
    for await (const { line, text: l } of lines(text)) {
      const [time, ...words] = l.replace(POISON, "").trim().split(" ");
      if (!time) {
        yield { kind: "skip", line, skip: "blank" };
        continue;
      }
      yield {
        kind: "row",
        table: appEventsTable,
        line,
        row: { event_time: time, message: words.join(" "), status_code: 3_000_000_000 },
      };
    }
  },
};
