import { readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loglakeIn } from "../../helpers/cli.ts";

const LOG = readFileSync(join(import.meta.dirname, "../../fixtures/sources/cloudfront/aws-sample-33.log"), "utf8");

let dir: string;
let lake: string;
let config: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "cli-compact-"));
  lake = join(dir, "lake");
  config = join(dir, "loglake.config.ts");
  await writeFile(config, 'export default { env: "test", compaction: { settleHours: 1, maxFilesPerHour: 2 } };\n');
  const files = [1, 2, 3].map((i) => join(dir, `E2EXAMPLE.2019-12-04-21.obj${i}`));
  for (const f of files) await writeFile(f, LOG);
  const ingest = await loglakeIn({ env: { LOGLAKE_CONFIG: config } }, "ingest", "--lake", lake, ...files);
  if (ingest.code !== 0) throw new Error(ingest.stderr);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const status = async (...args: string[]) => {
  const r = await loglakeIn(
    { env: { LOGLAKE_CONFIG: config } },
    "status",
    "--lake",
    lake,
    "--now",
    "2019-12-14T00:00:00Z",
    "--format",
    "json",
    ...args,
  );
  const s = JSON.parse(r.stdout) as {
    thresholds: { maxFilesPerPartitionHour: number };
    tables: { table: string; files: number; over_threshold: string[] }[];
  };
  const cf = s.tables.find((t) => t.table === "cloudfront");
  return [s.thresholds.maxFilesPerPartitionHour, cf?.files, cf?.over_threshold];
};

describe("loglake compact and status", () => {
  it("takes the files-per-hour threshold from the config, the flag overriding it, and compacts by the config's settle window", async () => {
    // Act
    const fromConfig = await status();
    const fromFlag = await status("--max-files-per-hour", "5");
    const early = await loglakeIn(
      { env: { LOGLAKE_CONFIG: config } },
      "compact",
      "--lake",
      lake,
      "--now",
      "2019-12-13T23:59:59Z",
      "--format",
      "json",
    );
    const compacted = await loglakeIn(
      { env: { LOGLAKE_CONFIG: config } },
      "compact",
      "--lake",
      lake,
      "--now",
      "2019-12-14T00:00:00Z",
    );
    const after = await status();
    // Assess
    expect(fromConfig).toStrictEqual([2, 6, ["2019-12-04T21", "2019-12-13T22"]]);
    expect(fromFlag).toStrictEqual([5, 6, []]);
    // 2019-12-13 22:00-23:00 settles an hour later, at midnight: a second before, only the older hour is merged.
    const e = JSON.parse(early.stdout) as { hours: { hour: string; action: string }[]; files_after: number };
    expect([e.hours.map((h) => [h.hour, h.action]), e.files_after]).toStrictEqual([[["2019-12-04T21", "compact"]], 4]);
    expect([
      compacted.code,
      compacted.stdout.split("\n")[0]?.replace(/overlap [\d.]+ ms/, "overlap N ms"),
    ]).toStrictEqual([0, "1 partition-hour(s) merged, 1 left as they were; files 4 -> 2; longest overlap N ms"]);
    expect(after).toStrictEqual([2, 2, []]);
  });
});
