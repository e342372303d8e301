import { execFileSync, spawn } from "node:child_process";
import { copyFile, mkdir, mkdtemp, readdir, readFile, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { formatTotals, type IngestReport } from "@app/cli/commands/ingest";
import { openLake } from "@app/lake/query";
import { LocalLakeStore } from "@app/lake/store";
import { beforeAll, describe, expect, it } from "vitest";
import { LOGLAKE_BIN, loglake } from "../../helpers/cli.ts";

const ROBUSTNESS = join(import.meta.dirname, "../../fixtures/robustness");

let work: string;
/** Six small CloudFront logs and six app logs: enough files for two lanes. */
let mixed: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "cli-robust-"));
  mixed = join(work, "mixed");
  await mkdir(mixed);
  const cf = await readFile(join(ROBUSTNESS, "E2EXAMPLE.2019-12-04-21.cr000001"), "utf8");
  for (let i = 0; i < 6; i++) {
    await writeFile(join(mixed, `E2EXAMPLE.2019-12-04-2${i}.lane000${i}`), cf.replaceAll("q=%0D", `q=${i}`));
    await writeFile(join(mixed, `app${i}.jsonl`), `{"timestamp":"2025-06-12T1${i}:00:00Z","message":"m${i}"}\n`);
  }
});

/** Row counts per table and the quarantine reasons of a local lake, read back with DuckDB. */
async function lakeRows(lake: string): Promise<Record<string, number>> {
  const conn = await openLake(new LocalLakeStore(lake));
  try {
    const r = await conn.runAndReadAll(
      "SELECT 'app_events' AS t, count(*)::INTEGER AS n FROM app_events UNION ALL SELECT 'cloudfront', count(*)::INTEGER FROM cloudfront UNION ALL SELECT 'quarantine', count(*)::INTEGER FROM quarantine",
    );
    return Object.fromEntries(r.getRowObjects().map((o) => [o.t, o.n]));
  } finally {
    conn.closeSync();
  }
}

describe("loglake ingest on carriage returns", () => {
  it("ingests an app log and a CloudFront log whose first rows hold a CR, and exits 0", async () => {
    const lake = join(await mkdtemp(join(work, "lake-")), "lake");
    const files = ["app-cr.jsonl", "E2EXAMPLE.2019-12-04-21.cr000001"].map((f) => join(ROBUSTNESS, f));
    const r = await loglake("ingest", ...files, "--lake", lake, "--json");
    expect([r.code, r.stderr]).toStrictEqual([0, ""]);
    expect(JSON.parse(r.stdout)).toStrictEqual({
      files: 2,
      records: 8,
      rows: { app_events: 3, cloudfront: 3 },
      quarantined: {},
      skipped: { header: 2 },
      skipped_paths: {},
    });
  });
});

describe("loglake ingest when a lane fails", () => {
  it("prints one error line and exits 2, run after run", { timeout: 90_000 }, async () => {
    for (let trial = 0; trial < 3; trial++) {
      // The lake's app_events folder is a file: the lane holding app logs fails while the other converts CloudFront.
      const lake = await mkdtemp(join(work, "lake-"));
      await writeFile(join(lake, "app_events"), "not a folder\n");
      const r = await loglake("ingest", mixed, "--lake", lake, "--json");
      expect([r.code, r.stderr.split("\n").length, r.stderr.startsWith("loglake: ENOTDIR")]).toStrictEqual([
        2,
        2,
        true,
      ]);
    }
  });
});

describe("concurrent loglake ingest runs into one lake", () => {
  it("all succeed and leave one copy of the input's rows", { timeout: 90_000 }, async () => {
    const lake = join(await mkdtemp(join(work, "lake-")), "lake");
    const runs = await Promise.all(Array.from({ length: 4 }, () => loglake("ingest", mixed, "--lake", lake, "--json")));
    expect(runs.map((r) => [r.code, r.stderr])).toStrictEqual(Array(4).fill([0, ""]));
    expect(new Set(runs.map((r) => r.stdout)).size).toBe(1);
    expect(await lakeRows(lake)).toStrictEqual({ app_events: 6, cloudfront: 18, quarantine: 0 });
    expect((await readdir(join(lake, "_ingest"))).filter((n) => n.endsWith(".partial"))).toStrictEqual([]);
  });
});

/** Staging directories in `dir`. */
async function staging(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((n) => n.startsWith("loglake-stage-"));
}

describe("staging directories of interrupted runs", () => {
  it("are removed by a run ended by SIGTERM, and a killed run's are removed by the next run", {
    timeout: 90_000,
  }, async () => {
    // Prepare: each run blocks reading a FIFO nobody writes, with its staging directory already made.
    const w = await mkdtemp(join(work, "kill-"));
    const tmp = join(w, "tmp");
    await mkdir(tmp);
    const fifo = join(w, "pipe.jsonl");
    execFileSync("mkfifo", [fifo]);
    const blocked = async (signal: NodeJS.Signals) => {
      const child = spawn(process.execPath, [LOGLAKE_BIN, "ingest", fifo, "--lake", join(w, "lake")], {
        env: { ...process.env, TMPDIR: tmp },
        stdio: "ignore",
      });
      const ended = new Promise<string | null>((resolve) => child.on("exit", (_code, sig) => resolve(sig)));
      const mine = `loglake-stage-${child.pid}-`;
      while (!(await staging(tmp)).some((n) => n.startsWith(mine))) await new Promise((r) => setTimeout(r, 50));
      child.kill(signal);
      return { signal: await ended, left: (await staging(tmp)).map((n) => n.startsWith(mine)) };
    };
    // Act
    const killed = await blocked("SIGKILL");
    const terminated = await blocked("SIGTERM");
    const app = join(w, "app.jsonl");
    await copyFile(join(ROBUSTNESS, "app-cr.jsonl"), app);
    const next = execFileSync(process.execPath, [LOGLAKE_BIN, "ingest", app, "--lake", join(w, "lake"), "--json"], {
      env: { ...process.env, TMPDIR: tmp },
    });
    // Assess: the killed run's directory survived it (the SIGTERM run swept it at its start), the terminated run
    // removed its own, and nothing is left after the next run.
    expect(killed).toStrictEqual({ signal: "SIGKILL", left: [true] });
    expect(terminated).toStrictEqual({ signal: "SIGTERM", left: [] });
    expect(JSON.parse(next.toString()).files).toBe(1);
    expect(await staging(tmp)).toStrictEqual([]);
  });

  it("of a dead process are removed by the next run, those of live ones are kept", { timeout: 60_000 }, async () => {
    // Prepare: a directory of a pid that no longer exists and one of this (live) test process.
    const tmp = await mkdtemp(join(work, "tmp-"));
    const dead = spawn(process.execPath, ["-e", ""]);
    await new Promise((r) => dead.on("exit", r));
    await mkdir(join(tmp, `loglake-stage-${dead.pid}-stale`, "out"), { recursive: true });
    await mkdir(join(tmp, `loglake-stage-${process.pid}-live`));
    // Act
    execFileSync(
      process.execPath,
      [LOGLAKE_BIN, "ingest", join(ROBUSTNESS, "app-cr.jsonl"), "--lake", join(tmp, "lake"), "--json"],
      { env: { ...process.env, TMPDIR: tmp } },
    );
    // Assess
    expect(await staging(tmp)).toStrictEqual([`loglake-stage-${process.pid}-live`]);
  });
});

describe("loglake ingest walking a directory", () => {
  it("reads hidden files and links, leaves out .git, and reports what it left out", { timeout: 60_000 }, async () => {
    // Prepare
    const w = await mkdtemp(join(work, "walk-"));
    const d = join(w, "logs");
    await mkdir(join(d, ".git"), { recursive: true });
    const line = (m: string) => `{"timestamp":"2025-06-12T10:00:00Z","message":"${m}"}\n`;
    await writeFile(join(d, "plain.jsonl"), line("plain"));
    await writeFile(join(d, ".hidden.jsonl"), line("hidden"));
    await writeFile(join(d, ".git", "packed.jsonl"), line("git"));
    await writeFile(join(w, "target.jsonl"), line("linked"));
    await symlink(join(w, "target.jsonl"), join(d, "linked.jsonl"));
    await symlink(d, join(d, "loop"));
    // Act
    const json = await loglake("ingest", d, "--lake", join(w, "lake"), "--json");
    // Assess
    const report = JSON.parse(json.stdout) as IngestReport;
    expect(report).toStrictEqual({
      files: 3,
      records: 3,
      rows: { app_events: 3 },
      quarantined: {},
      skipped: {},
      skipped_paths: { symlink_loop: 1, vcs_folder: 1 },
    });
    expect(formatTotals(report, "lake").split("\n").slice(2)).toStrictEqual([
      "  not read    symlink_loop         1 path(s)",
      "  not read    vcs_folder           1 path(s)",
    ]);
  });
});
