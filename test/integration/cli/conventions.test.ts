import { execFile, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify, stripVTControlCharacters } from "node:util";
import { SOURCES } from "@app/core/sources/index";
import { buildFixtureLake } from "@app/samples/fixture-lake/build";
import { beforeAll, describe, expect, it } from "vitest";
import { LOGLAKE_BIN, loglake, loglakeIn } from "../../helpers/cli.ts";

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, "../../..");
const VERSION = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version;
const NO_AWS = {
  AWS_ACCESS_KEY_ID: undefined,
  AWS_SECRET_ACCESS_KEY: undefined,
  AWS_SESSION_TOKEN: undefined,
  AWS_PROFILE: undefined,
  AWS_CONFIG_FILE: "/nonexistent/aws-config",
  AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/aws-credentials",
  AWS_EC2_METADATA_DISABLED: "true",
};

let lake: string;
let work: string;
beforeAll(async () => {
  lake = (await buildFixtureLake()).root;
  work = await mkdtemp(join(tmpdir(), "loglake-cli-"));
}, 180_000);

const oneLine = (r: { code: number; stderr: string }) => [r.code, r.stderr.split("\n").length === 2, r.stderr];

describe("no silent wrong answers", () => {
  it.each([
    [
      ["--param", "from=2025-13-45", "--param", "to=2025-06-12"],
      'loglake: cloudtrail/root-account-usage --param from: "2025-13-45" is not a calendar date\n',
    ],
    [
      ["--param", "from=last-week", "--param", "to=2025-06-12"],
      'loglake: cloudtrail/root-account-usage --param from: "last-week" is not a date (use YYYY-MM-DD, today, yesterday or -Nd (N days before today, UTC))\n',
    ],
    [
      ["--param", "from=2024-03-09", "--param", "to=2024-03-08"],
      "loglake: cloudtrail/root-account-usage: --param to=2024-03-08 is before from=2024-03-09\n",
    ],
    [
      ["--param", "form=2024-03-08"],
      'loglake: cloudtrail/root-account-usage has no parameter "form"; did you mean from? (it takes: from, to)\n',
    ],
  ])("refuses saved-query parameters %j with exit code 2", async (params, message) => {
    const r = await loglake("query", "cloudtrail/root-account-usage", "--lake", lake, ...params);
    expect([r.code, r.stdout, r.stderr]).toStrictEqual([2, "", message]);
  });

  it("reads the date shorthands (-7d to today: the fixture's 2024 events are outside it)", async () => {
    const r = await loglake(
      "query",
      "cloudtrail/root-account-usage",
      "--lake",
      lake,
      "--param",
      "from=-7d",
      "--param",
      "to=today",
      "--format",
      "json",
    );
    expect([r.code, r.stdout, r.stderr]).toStrictEqual([0, "[]\n", ""]);
  });

  it("names the closest saved query and stream on a typo", async () => {
    const q = await loglake("query", "cloudtrail/root-acount-usage", "--lake", lake);
    const s = await loglake("status", "--lake", lake, "--critical", "cloudtrial");
    expect([oneLine(q), oneLine(s)]).toStrictEqual([
      [
        2,
        true,
        'loglake: unknown saved query "cloudtrail/root-acount-usage"; did you mean cloudtrail/root-account-usage? (`loglake queries` lists all 144)\n',
      ],
      [
        2,
        true,
        "loglake: --critical cloudtrial: unknown stream; did you mean cloudtrail? (streams: app_events, app_events.api, app_events.audit, app_events.auth, cloudfront, cloudfront_realtime, cloudtrail, cloudtrail_digest, cloudwatch_logs, or app_events.<type>)\n",
      ],
    ]);
  });
});

describe("one-line errors and exit codes", () => {
  it("reports a SQL syntax error in one line with exit code 2, and the stack only with --verbose", async () => {
    const r = await loglake("query", "--lake", lake, "--sql", "selec 1");
    const v = await loglake("query", "--lake", lake, "--sql", "selec 1", "--verbose");
    const d = await loglakeIn({ env: { LOGLAKE_DEBUG: "1" } }, "query", "--lake", lake, "--sql", "selec 1");
    expect(oneLine(r)).toStrictEqual([
      2,
      true,
      'loglake: SQL Parser Error: syntax error at or near "selec" (LINE 1: selec 1)\n',
    ]);
    expect([v.code, v.stderr.startsWith(r.stderr), /\n {4}at /.test(v.stderr)]).toStrictEqual([2, true, true]);
    expect(d.stderr).toBe(v.stderr);
  });

  it("reports missing AWS credentials and an unknown host in one line", async () => {
    const creds = await loglakeIn(
      { env: NO_AWS },
      "query",
      "--lake",
      "s3://loglake-test-bucket/lake",
      "--sql",
      "select 1",
    );
    const host = await loglake(
      "query",
      "--lake",
      "s3://b/lake",
      "--endpoint",
      "http://nosuchhost.invalid:4566",
      "--sql",
      "select 1",
    );
    expect(oneLine(creds)).toStrictEqual([
      2,
      true,
      "loglake: no AWS credentials found: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (local emulators: give --endpoint)\n",
    ]);
    expect([host.code, host.stderr]).toStrictEqual([
      2,
      expect.stringMatching(/^loglake: cannot reach nosuchhost\.invalid: (ENOTFOUND \(unknown host\)|EAI_AGAIN)\n$/),
    ]);
  });

  it("keeps the AWS SDK's Node version warning out of normal output and shows it with --verbose", async () => {
    const args = [
      "query",
      "--lake",
      "s3://b/lake",
      "--endpoint",
      "http://nosuchhost.invalid:4566",
      "--sql",
      "select 1",
    ];
    const quiet = await loglake(...args);
    const verbose = await loglake(...args, "-v");
    // The SDK warns on Node before 22 only.
    const warns = Number(process.versions.node.split(".")[0]) < 22;
    expect([
      quiet.stderr.includes("NodeVersionSupportWarning"),
      verbose.stderr.includes("NodeVersionSupportWarning"),
    ]).toStrictEqual([false, warns]);
  });

  it("reports a bad --port and a config file with a syntax error in one line", async () => {
    const bad = join(work, "broken.config.ts");
    await writeFile(bad, 'export default {\n  env: "dev",,\n};\n');
    const port = await loglake("dev", "--port", "abc");
    const config = await loglake("dev", "--config", bad);
    expect([oneLine(port), oneLine(config)]).toStrictEqual([
      [2, true, "loglake: --port abc: not a whole number (use 0 to 65535)\n"],
      [2, true, `loglake: ${bad}: cannot be loaded: ${bad}:2:13: ERROR: Expected identifier but found ","\n`],
    ]);
  });

  it("answers a usage error with one line, not the help", async () => {
    const cmd = await loglake("frob");
    const opt = await loglake("status", "--lake", lake, "--dyas", "3");
    expect([oneLine(cmd), oneLine(opt)]).toStrictEqual([
      [2, true, "loglake: unknown command 'frob' (see: loglake --help)\n"],
      [2, true, "loglake: unknown option '--dyas' (Did you mean --days?) (see: loglake status --help)\n"],
    ]);
  });
});

describe("conventions", () => {
  it("prints its version", async () => {
    const r = await loglake("--version");
    expect([r.code, r.stdout, r.stderr]).toStrictEqual([0, `${VERSION}\n`, ""]);
  });

  it("lists the saved queries with severity, parameters and description", async () => {
    const json = await loglake("queries", "--format", "json");
    const table = await loglake("queries");
    const list = JSON.parse(json.stdout) as { id: string }[];
    expect(list.length).toBe(144);
    expect(list.find((q) => q.id === "cloudtrail/root-account-usage")).toStrictEqual({
      id: "cloudtrail/root-account-usage",
      severity: "high",
      params: { from: "date", to: "date" },
      report: "security",
      tables: "cloudtrail",
      name: "CloudTrail root account usage",
      description: expect.any(String),
    });
    const head = table.stdout.split("\n");
    expect([head[0]?.split(/\s+/), head.at(-2)]).toStrictEqual([
      ["id", "severity", "params", "report", "tables", "description"],
      "(144 rows)",
    ]);
  });

  it("lists the sources", async () => {
    const r = await loglake("sources", "--json");
    expect((JSON.parse(r.stdout) as { id: string }[]).map((s) => s.id)).toStrictEqual(SOURCES.map((s) => s.id));
  });

  it("takes --format table|csv|json on every data command, --json as its alias", async () => {
    const args = ["status", "--lake", lake, "--now", "2024-03-10T01:00:00Z"];
    const json = await loglake(...args, "--format", "json");
    const alias = await loglake(...args, "--json");
    const csv = await loglake(...args, "--format", "csv");
    const clash = await loglake(...args, "--json", "--format", "csv");
    const typo = await loglake("sources", "--format", "jsno");
    expect(alias.stdout).toBe(json.stdout);
    expect(csv.stdout.split("\n")[0]).toBe(
      "stream,criticality,health,last_event_time,last_ingest_time,rows,missing_days,missing_hours,quarantine_rate",
    );
    expect(csv.stdout.split("\n")[6]).toBe(
      "cloudtrail,critical,Healthy,2024-03-09T23:45:05.000Z,2024-03-10T00:20:00.000Z,1001,0,0,0",
    );
    expect([clash.code, clash.stderr]).toStrictEqual([
      2,
      "loglake: --json and --format csv disagree; give one of them\n",
    ]);
    expect([typo.code, typo.stderr]).toStrictEqual([
      2,
      "loglake: --format jsno: unknown format; did you mean json? (one of table, csv, json)\n",
    ]);
  });

  it("takes the lake from LOGLAKE_LAKE, and else from the config file's lake bucket", async () => {
    const fromEnv = await loglakeIn(
      { env: { LOGLAKE_LAKE: lake } },
      "query",
      "--sql",
      "select count(*) n from cloudtrail",
      "--json",
    );
    const dir = join(work, "with-config");
    await mkdir(dir, { recursive: true });
    await writeFile(
      join(dir, "loglake.config.ts"),
      'export default { env: "test", buckets: { lake: "acme-lake" }, lakePrefix: "parquet/" };\n',
    );
    const fromConfig = await loglakeIn(
      { cwd: dir, env: { LOGLAKE_ENDPOINT: "http://127.0.0.1:9", LOGLAKE_LAKE: undefined } },
      "query",
      "--sql",
      "select 1",
    );
    const none = await loglakeIn({ cwd: work, env: { LOGLAKE_LAKE: undefined, LOGLAKE_CONFIG: undefined } }, "status");
    expect(JSON.parse(fromEnv.stdout)).toStrictEqual([{ n: 1251 }]);
    expect([fromConfig.code, fromConfig.stderr]).toStrictEqual([
      2,
      "loglake: note: lake s3://acme-lake/parquet (from loglake.config.ts)\nloglake: cannot reach 127.0.0.1:9: ECONNREFUSED\n",
    ]);
    expect(oneLine(none)).toStrictEqual([
      2,
      true,
      "loglake: no lake given: use --lake <dir|s3://bucket/prefix>, set LOGLAKE_LAKE, or run where loglake.config.ts is\n",
    ]);
  });

  it("completes commands, options and option values in bash", async () => {
    const complete = async (line: string) => {
      const words = line.split(" ");
      const script = `source <(${process.execPath} ${LOGLAKE_BIN} completion bash)
COMP_WORDS=(${words.map((w) => `'${w}'`).join(" ")}); COMP_CWORD=${words.length - 1}; _loglake; printf '%s\\n' "\${COMPREPLY[@]}"`;
      const { stdout } = await run("bash", ["-c", script]);
      return stdout.trim().split("\n").sort();
    };
    expect(await complete("loglake que")).toStrictEqual(["queries", "query"]);
    expect(await complete("loglake query --fo")).toStrictEqual(["--format"]);
    expect(await complete("loglake query --format ")).toStrictEqual(["csv", "json", "table"]);
    expect(await complete("loglake report security --period w")).toStrictEqual(["weekly"]);
    const zsh = await loglake("completion", "zsh");
    expect([
      zsh.stdout.split("\n")[0],
      zsh.stdout.includes("'query:Run SQL or a saved query over the lake with DuckDB '"),
    ]).toStrictEqual(["#compdef loglake", true]);
  });

  it("colours on a terminal only, never with NO_COLOR", async () => {
    const args = ["status", "--lake", lake, "--now", "2024-03-10T01:00:00Z"];
    const piped = await loglake(...args);
    const forced = await loglakeIn({ env: { FORCE_COLOR: "1" } }, ...args);
    const both = await loglakeIn({ env: { FORCE_COLOR: "1", NO_COLOR: "1" } }, ...args);
    const flag = await loglakeIn({ env: { FORCE_COLOR: "1" } }, ...args, "--no-color");
    const esc = (s: string) => s.includes("\u001b[");
    expect([esc(piped.stdout), esc(forced.stdout), esc(both.stdout), esc(flag.stdout)]).toStrictEqual([
      false,
      true,
      false,
      false,
    ]);
    expect(stripVTControlCharacters(forced.stdout)).toBe(piped.stdout);
  });
});

describe("data formats that pipe", () => {
  it("prints safe integers and short decimals as JSON numbers, larger ones as strings, timestamps in ISO 8601", async () => {
    const r = await loglake(
      "query",
      "--lake",
      lake,
      "--json",
      "--sql",
      "select count(*) n, 9007199254740993::bigint big, 1.50::decimal(10,2) d, 12345678901234567.8::decimal(38,1) long, max(event_time) t, timestamp '2024-01-01 00:00:00.123456' us, [1, 2] l from cloudtrail",
    );
    expect(JSON.parse(r.stdout)).toStrictEqual([
      {
        n: 1251,
        big: "9007199254740993",
        d: 1.5,
        long: "12345678901234567.8",
        t: "2024-03-09T23:45:05.000Z",
        us: "2024-01-01T00:00:00.123456Z",
        l: "[1,2]",
      },
    ]);
  });

  it("writes query CSV with the reports' writer: formula guard, ISO timestamps, LF line ends", async () => {
    const r = await loglake(
      "query",
      "--lake",
      lake,
      "--format",
      "csv",
      "--sql",
      "select '=HYPERLINK(\"http://x\")' ua, timestamp '2024-03-08 09:30:00' t, 'a,b' c",
    );
    expect(r.stdout).toBe('ua,t,c\n"\'=HYPERLINK(""http://x"")",2024-03-08T09:30:00.000Z,"a,b"\n');
  });

  it("fits the table to the width, cutting columns and keeping rows, with no trailing spaces", async () => {
    const sql = "select event_id, user_agent, event_name from cloudtrail order by event_time, event_id limit 20";
    const r = await loglakeIn({ env: { COLUMNS: "60" } }, "query", "--lake", lake, "--sql", sql);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines.length).toBe(23);
    expect(lines.filter((l) => [...l].length > 60 || l !== l.trimEnd())).toStrictEqual([]);
    expect(lines.at(-1)).toBe("(20 rows)");
  });
});

describe("safe by default", () => {
  it("refuses SQL that reads other files or writes any, unless --unsafe", async () => {
    const outside = join(work, "copied.csv");
    const inside = join(lake, "copied.csv");
    const read = await loglake("query", "--lake", lake, "--sql", "select * from read_text('/etc/hostname')");
    const copyOut = await loglake("query", "--lake", lake, "--sql", `copy (select 1) to '${outside}'`);
    const copyIn = await loglake("query", "--lake", lake, "--sql", `select 1; copy (select 1) to '${inside}'`);
    const attach = await loglake("query", "--lake", lake, "--sql", `attach '${join(lake, "x.duckdb")}'`);
    const install = await loglake("query", "--lake", lake, "--sql", "install httpfs");
    const unlock = await loglake("query", "--lake", lake, "--sql", "set enable_external_access = true");
    const unsafe = await loglake("query", "--lake", lake, "--unsafe", "--sql", `copy (select 42 as n) to '${outside}'`);
    expect([read, copyOut, copyIn, attach, install, unlock].map(oneLine)).toStrictEqual([
      [
        2,
        true,
        `loglake: SQL Permission Error: Cannot access file "/etc/hostname" - file system operations are disabled by configuration (LINE 1: select * from read_text('/etc/hostname')); SQL reads only the lake unless --unsafe is given\n`,
      ],
      [
        2,
        true,
        `loglake: SQL Permission Error: Cannot access file "${outside}" - file system operations are disabled by configuration; SQL reads only the lake unless --unsafe is given\n`,
      ],
      [2, true, "loglake: COPY is refused: queries read the lake and write nothing (give --unsafe to run it anyway)\n"],
      [
        2,
        true,
        "loglake: ATTACH is refused: queries read the lake and write nothing (give --unsafe to run it anyway)\n",
      ],
      [
        2,
        true,
        "loglake: INSTALL/LOAD is refused: queries read the lake and write nothing (give --unsafe to run it anyway)\n",
      ],
      [
        2,
        true,
        'loglake: SQL Invalid Input Error: Cannot change configuration option "enable_external_access" - the configuration has been locked\n',
      ],
    ]);
    expect([existsSync(inside), unsafe.code, await readFile(outside, "utf8")]).toStrictEqual([false, 0, "n\n42\n"]);
  });
});

describe("a reader that stops reading", () => {
  it("ends the run quietly with exit code 141, as `| head` expects, not with a stack trace or a claimed answer", async () => {
    const child = spawn(
      process.execPath,
      [LOGLAKE_BIN, "query", "--lake", lake, "--sql", "select range from range(2000000)", "--format", "csv"],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    // Read one chunk, then close the pipe as `head` does.
    child.stdout.once("data", () => child.stdout.destroy());
    const code = await new Promise<number | null>((done) => child.on("close", (c) => done(c)));
    expect([code, stderr]).toStrictEqual([141, ""]);
  });
});

describe("progress", () => {
  it("prints only the summary when stdout is not a terminal", async () => {
    const logs = join(work, "logs");
    await mkdir(logs, { recursive: true });
    await writeFile(join(logs, "app.jsonl"), '{"timestamp":"2024-03-08T10:00:00Z","type":"auth","message":"x"}\n');
    const r = await loglake("ingest", logs, "--lake", join(work, "progress-lake"));
    expect([r.code, r.stderr, r.stdout.split("\n")[0]]).toStrictEqual([
      0,
      "",
      `ingested 1 file(s), 1 record(s) into ${join(work, "progress-lake")}`,
    ]);
  });

  it("draws a progress line on a terminal, with the file's base name, and clears it before the summary", async () => {
    const logs = join(work, "tty-logs", "deep", "folder");
    await mkdir(logs, { recursive: true });
    const lines = Array.from(
      { length: 20_000 },
      (_, i) => `{"timestamp":"2024-03-08T10:00:00Z","type":"api","message":"m${i}"}`,
    );
    await writeFile(join(logs, "big-app-log.jsonl"), `${lines.join("\n")}\n`);
    const cmd = `${process.execPath} ${LOGLAKE_BIN} ingest ${logs} --lake ${join(work, "tty-lake")}`;
    // script(1) gives the command a terminal; the transcript holds what it drew.
    const { stdout } = await run("script", ["-qec", cmd, "/dev/null"], { env: { ...process.env, COLUMNS: "160" } });
    const drawn = stdout.split("\r").filter((l) => l.includes("rec/s"));
    expect(drawn.length).toBeGreaterThan(0);
    expect(drawn.every((l) => l.includes("big-app-log.jsonl") && !l.includes("/deep/folder"))).toBe(true);
    expect(stdout.includes("\r\u001b[Kingested 1 file(s), 20000 record(s)")).toBe(true);
  });
});

describe("the compiled CLI", () => {
  it("loads neither DuckDB nor the AWS SDK for --help: they are reached only through dynamic imports", () => {
    const meta = JSON.parse(readFileSync(join(ROOT, "packages/cli/dist/meta.json"), "utf8")) as {
      outputs: Record<string, { imports: { path: string; kind: string; external?: boolean }[] }>;
    };
    const seen = new Set<string>();
    const external = new Set<string>();
    const todo = ["packages/cli/dist/main.js"];
    for (let f = todo.pop(); f !== undefined; f = todo.pop()) {
      if (seen.has(f)) continue;
      seen.add(f);
      for (const i of meta.outputs[f]?.imports ?? []) {
        if (i.kind !== "import-statement") continue;
        if (i.external) external.add(i.path.replace(/^node:.*/, "node:*"));
        else todo.push(i.path);
      }
    }
    expect([...external].sort()).toStrictEqual(["commander", "node:*"]);
  });
});
