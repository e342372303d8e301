import { readFileSync } from "node:fs";
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { loglake } from "../../helpers/cli.ts";

const FIXTURES = join(import.meta.dirname, "../../fixtures/sources");

let dir: string;
let lake: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "loglake-replay-cli-"));
  lake = join(dir, "lake");
  await mkdir(join(dir, "in/app/auth-service/2024/05/01"), { recursive: true });
  await writeFile(
    join(dir, "in/app/auth-service/2024/05/01/malformed.jsonl"),
    readFileSync(join(FIXTURES, "app_json/malformed.jsonl")),
  );
  const ingested = await loglake("ingest", join(dir, "in"), "--lake", lake, "--quiet");
  if (ingested.code !== 0) throw new Error(ingested.stderr);
}, 120_000);

describe("loglake replay", () => {
  it("with the registered parsers moves nothing, writes nothing and says so; verify --lake still passes", async () => {
    // Act
    const json = await loglake("replay", "--lake", lake, "--format", "json");
    const table = await loglake("replay", "--lake", lake, "--reason", "bad_json,truncated", "--from", "2024-05-01");
    const verify = await loglake("verify", "--lake", lake, "--quiet");
    // Assess
    expect([json.code, JSON.parse(json.stdout)]).toStrictEqual([
      0,
      {
        inputs: 0,
        selected: 6,
        moved: {},
        still_quarantined: { bad_json: 1, bad_record: 2, bad_timestamp: 2, truncated: 1 },
        not_replayable: {},
      },
    ]);
    expect([table.code, table.stdout]).toStrictEqual([
      0,
      `replayed 2 quarantined record(s) of ${lake}: 0 moved, 2 still quarantined, 0 not replayable (0 input(s) rewritten)\n  quarantined    bad_json             1\n  quarantined    truncated            1\n`,
    ]);
    expect(verify.code).toBe(0);
  });

  it.each([
    [
      ["--reason", "bad_jsn"],
      "loglake: --reason bad_jsn: unknown reason; did you mean bad_json? (one of bad_field_count, bad_json, bad_timestamp, bad_value, bad_record, unknown_source, truncated, corrupt_gzip, missing_header, too_large, write_failed)\n",
    ],
    [
      ["--source", "cloudtrial"],
      "loglake: --source cloudtrial: unknown source; did you mean cloudtrail? (one of cloudtrail_digest, cloudtrail, cloudfront, cloudfront_realtime, cloudwatch_logs, app_json, unknown)\n",
    ],
    [
      ["--table", "findings"],
      "loglake: --table findings: unknown table (one of cloudtrail_digest, cloudtrail_digest_log_file, cloudtrail, cloudfront, cloudfront_realtime, cloudwatch_logs, app_events)\n",
    ],
    [["--from", "2024-13-01"], 'loglake: --from: "2024-13-01" is not a calendar date\n'],
    [["--from", "2024-05-02", "--to", "2024-05-01"], "loglake: --from 2024-05-02 is after --to 2024-05-01\n"],
  ])("refuses %j with one line and exit code 2", async (flags, line) => {
    const r = await loglake("replay", "--lake", lake, ...flags);
    expect([r.code, r.stdout, r.stderr]).toStrictEqual([2, "", line]);
  });

  it("refuses a lake directory that does not exist instead of reporting an empty replay", async () => {
    const r = await loglake("replay", "--lake", join(dir, "nowhere"));
    expect([r.code, r.stderr]).toStrictEqual([2, `loglake: --lake ${join(dir, "nowhere")}: no lake there\n`]);
  });
});
