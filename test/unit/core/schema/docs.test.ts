import { readFileSync } from "node:fs";
import { fillFieldTables, toFieldTable } from "@app/core/schema/docs";
import { appEventsTable } from "@app/core/sources/app-json/schema";
import { TABLES } from "@app/core/sources/index";
import { describe, expect, it } from "vitest";

const README = readFileSync(new URL("../../../../README.md", import.meta.url), "utf8");

describe("README field tables", () => {
  it("publishes the app_events alias table exactly as the schema declares it", () => {
    const block = /<!-- fields:app_events -->\n([\s\S]*?)\n<!-- \/fields:app_events -->/.exec(README)?.[1];
    expect(block).toBe(toFieldTable(appEventsTable));
  });

  it("has every generated block up to date (npx tsx scripts/readme-fields.ts rewrites them)", () => {
    expect(fillFieldTables(README, TABLES)).toBe(README);
  });
});

describe("toFieldTable", () => {
  it("lists each column's aliases in order, with the notes of aliases that convert", () => {
    const lines = toFieldTable(appEventsTable).split("\n");
    expect(lines.slice(0, 3)).toStrictEqual([
      "| column | type | read from (first usable wins) |",
      "| --- | --- | --- |",
      "| `event_time` | timestamp | `timestamp`, `time`, `@timestamp`, `ts` |",
    ]);
    expect(lines.find((l) => l.startsWith("| `user_id`"))).toBe("| `user_id` | string | `user_id`, `userId`, `user` |");
    expect(lines.at(-1)).toBe("| `attributes` | json | every field no other column used, as written |");
  });
});
