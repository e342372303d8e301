/**
 * Fuzz and fault suite for `loglake ingest`: inputs mutated from every source fixture (truncation, flipped bytes,
 * invalid UTF-8, NUL, BOM, bare CR and CRLF in every field position, a 5 MiB line and value, 5,000-deep nesting,
 * `{"Records":[` arrays that never close, gzip followed by garbage, non-gzip `.gz` files, empty files, thousandfold
 * gzip bombs inflating to one 128 MiB line, random bytes), written under keys named like each source's real
 * objects and ingested in batches by the real CLI in a child process into a fresh lake per batch. Each batch must
 * exit 0 (bad input is quarantined, not an error) within a time bound, under an RSS bound, and leave no staging
 * files behind; every input must have a manifest whose records = rows + quarantined + skipped, attributed to the
 * source its key names, with every line of a line-oriented fixture still accounted for, and DuckDB's count(*) of
 * its rows in each table equal to what the manifest reports. A failing batch is bisected to the smallest failing
 * input, named in the failure.
 *
 * Environment:
 *   LOGLAKE_FUZZ=long        a longer run: every field position of every fixture, 150 random mutations per fixture,
 *                            1 GiB gzip bombs, 24 batches (about 9,600 inputs)
 *   LOGLAKE_FUZZ_RUNS=<n>    random mutations per fixture (default 8, long 150)
 *   LOGLAKE_FUZZ_SEED=<n>    seed of the generator (default 20240501)
 *   LOGLAKE_FUZZ_KEEP=1      keep the inputs and lakes of failed batches and print where they are
 */
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { mergeSummary } from "@app/core/ingest/pipeline";
import { fileLineage, type IngestManifest, MANIFEST_DIR, parseManifest } from "@app/core/lake-layout";
import { TABLES } from "@app/core/sources/index";
import type { IngestTotals } from "@app/lake/ingest";
import { openLake } from "@app/lake/query";
import { LocalLakeStore } from "@app/lake/store";
import { afterAll, describe, expect, it } from "vitest";
import { canon, fuzzLabel, inputProblems } from "../../helpers/fuzz-checks.ts";
import { type BoundedRun, errorLine, hasStackTrace, runLoglakeBounded } from "../../helpers/fuzz-cli.ts";
import { type FuzzInput, fuzzBatches, fuzzInputs, loadFuzzFixtures } from "../../helpers/fuzz-inputs.ts";

const LONG = process.env.LOGLAKE_FUZZ === "long";
const SEED = Number(process.env.LOGLAKE_FUZZ_SEED ?? 20240501);
const PER_FIXTURE = Number(process.env.LOGLAKE_FUZZ_RUNS ?? (LONG ? 150 : 8));
const BATCHES = LONG ? 24 : 6;
const KEEP = process.env.LOGLAKE_FUZZ_KEEP === "1";
/** A batch takes seconds, tens of them on a loaded machine; a run still going after this is hung. */
const BATCH_TIMEOUT_MS = 60_000;
/** Peak RSS allowed for one ingest: a few times the CLI's own ~180 MiB, far under the 2 GiB the functions get. */
const RSS_BOUND_BYTES = 512 * 1024 * 1024;
/** A child growing past this is killed at once, so a runaway run cannot starve the machine. */
const RSS_CAP_BYTES = 1536 * 1024 * 1024;
/** Child runs, and time, spent looking for the input that fails a batch; and for all batches together. */
const BISECT_RUNS = 12;
const BISECT_MS = 120_000;
let bisectBudgetMs = 120_000;
const BISECT_TIMEOUT_MS = 20_000;

const fixtures = loadFuzzFixtures(join(import.meta.dirname, "../../fixtures/sources"));
const inputs = fuzzInputs(fixtures, {
  seed: SEED,
  perFixture: PER_FIXTURE,
  positions: LONG ? "all" : "rotate",
  bombBytes: (LONG ? 1024 : 128) * 1024 * 1024,
});
const batches = fuzzBatches(inputs, BATCHES, SEED);

const mib = (bytes: number) => `${Math.round(bytes / (1024 * 1024))} MiB`;
const roots: string[] = [];
// The children's temp dir: shared, so tsx's compile cache in it stays warm; anything else left in it is litter.
const childTmp = await mkdtemp(join(tmpdir(), "loglake-fuzz-tmp-"));
const isCompileCache = (name: string) => name.startsWith("tsx-");

afterAll(async () => {
  for (const r of [...roots, childTmp]) await rm(r, { recursive: true, force: true });
});

/** One ingest of `paths` into a fresh lake; `litter` is what the run left in its temp dir. */
async function ingest(root: string, paths: readonly string[], timeoutMs = BATCH_TIMEOUT_MS) {
  const run = await mkdtemp(join(root, "run-"));
  const lake = join(run, "lake");
  const before = new Set(await readdir(childTmp));
  const result = await runLoglakeBounded(["ingest", ...paths, "--lake", lake, "--json"], {
    timeoutMs,
    rssCapBytes: RSS_CAP_BYTES,
    env: { TMPDIR: childTmp, TZ: "UTC" },
    workDir: run,
  });
  const litter = (await readdir(childTmp)).filter((e) => !before.has(e) && !isCompileCache(e)).sort();
  for (const e of litter) await rm(join(childTmp, e), { recursive: true, force: true });
  return { lake, litter, result };
}

function runProblem(r: BoundedRun): string | undefined {
  if (r.timedOut) return `no exit within ${Math.round(r.ms / 1000)} s (killed)`;
  if (r.overCap) return `RSS passed ${mib(RSS_CAP_BYTES)} (killed)`;
  if (r.code !== 0) return `exit ${r.code ?? r.signal}: ${errorLine(r.stderr)}`;
  return undefined;
}

/** Halves the inputs of a failing run while one half still fails alone (a hang counts: it follows an error). */
async function smallestFailing(root: string, batch: readonly FuzzInput[], dir: string): Promise<string> {
  let suspects = [...batch];
  let why = "";
  if (bisectBudgetMs <= 0) return "not bisected: the suite's bisect time is spent";
  const started = Date.now();
  const deadline = started + Math.min(BISECT_MS, bisectBudgetMs);
  let together = false;
  for (let runs = 0; suspects.length > 1 && runs < BISECT_RUNS && Date.now() < deadline; ) {
    const mid = Math.ceil(suspects.length / 2);
    let next: FuzzInput[] | undefined;
    for (const half of [suspects.slice(0, mid), suspects.slice(mid)]) {
      runs++;
      const { result } = await ingest(
        root,
        half.map((i) => join(dir, i.key)),
        BISECT_TIMEOUT_MS,
      );
      const p = runProblem(result);
      if (p) {
        next = half;
        why = p;
        break;
      }
    }
    if (!next) {
      together = true;
      break;
    }
    suspects = next;
  }
  bisectBudgetMs -= Date.now() - started;
  if (suspects.length === 1 && suspects[0]) return `smallest failing input: ${fuzzLabel(suspects[0])}: ${why}`;
  const named = suspects.length <= 4 ? `: ${suspects.map(fuzzLabel).join("; ")}` : "";
  return together
    ? `fails only with these ${suspects.length} inputs together${named}`
    : `bisect stopped at ${suspects.length} inputs${named}${why ? `: ${why}` : ""}`;
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

/** Rows per table per source object, counted by DuckDB over the lake's Parquet. */
async function lakeCounts(lake: string): Promise<Map<string, Record<string, number>>> {
  const conn = await openLake(new LocalLakeStore(lake));
  try {
    const out = new Map<string, Record<string, number>>();
    for (const t of TABLES) {
      const r = await conn.runAndReadAll(
        `SELECT source_object, count(*)::INTEGER AS n FROM "${t.name}" GROUP BY source_object`,
      );
      for (const row of r.getRowObjects() as { source_object: string; n: number }[]) {
        const counts = out.get(row.source_object) ?? {};
        counts[t.name] = row.n;
        out.set(row.source_object, counts);
      }
    }
    return out;
  } finally {
    conn.closeSync();
  }
}

/** Every way the batch's ingest fell short of the contract, one line each. */
async function checkBatch(root: string, batch: readonly FuzzInput[], dir: string): Promise<string[]> {
  const problems: string[] = [];
  const { lake, litter, result } = await ingest(root, [dir]);
  const failed = runProblem(result);
  if (failed) {
    problems.push(`batch: ${failed}`);
    problems.push(`batch: ${await smallestFailing(root, batch, dir)}`);
  }
  if (hasStackTrace(result.stderr)) problems.push("batch: stderr holds a stack trace");
  if (result.peakRssBytes > RSS_BOUND_BYTES) {
    problems.push(`batch: peak RSS ${mib(result.peakRssBytes)} over ${mib(RSS_BOUND_BYTES)}`);
  }
  // A killed run cannot clean up; the next run's start is where stale staging goes.
  if (!result.timedOut && !result.overCap && litter.length > 0) {
    problems.push(`batch: left ${litter.length} entries in its temp dir (${litter[0]}, ...)`);
  }
  const partial = (await listFiles(lake)).filter((f) => f.endsWith(".partial"));
  if (partial.length > 0) problems.push(`batch: left ${partial.length} .partial files in the lake`);

  const manifests = new Map<string, IngestManifest>();
  for (const f of await listFiles(join(lake, MANIFEST_DIR))) {
    if (!f.endsWith(".json")) continue;
    const m = parseManifest(await readFile(f, "utf8"), f);
    manifests.set(m.source_object, m);
  }
  let counts = new Map<string, Record<string, number>>();
  try {
    counts = await lakeCounts(lake);
  } catch (e) {
    problems.push(`batch: DuckDB cannot read the lake: ${(e as Error).message.split("\n")[0]}`);
  }

  const totals: IngestTotals = { files: 0, records: 0, rows: {}, quarantined: {}, skipped: {} };
  let missing = 0;
  for (const input of batch) {
    const path = fileLineage(join(dir, input.key));
    const m = manifests.get(path);
    manifests.delete(path);
    if (!m) {
      missing++;
      // After a crash most inputs lack a manifest; the crash itself is the problem then.
      if (!failed) problems.push(...inputProblems(input, undefined, {}));
      continue;
    }
    totals.files++;
    mergeSummary(totals, m.summary);
    problems.push(...inputProblems(input, m.summary, counts.get(path) ?? {}));
    counts.delete(path);
  }
  if (failed && missing > 0) problems.push(`batch: ${missing} of ${batch.length} inputs have no manifest`);
  for (const other of manifests.keys()) problems.push(`batch: manifest for an object not in the batch: ${other}`);
  for (const [other, c] of counts)
    problems.push(`batch: lake rows of an object with no manifest: ${other} ${JSON.stringify(c)}`);
  if (!failed) {
    let printed: IngestTotals & { skipped_paths?: Record<string, number> };
    try {
      printed = JSON.parse(result.stdout) as typeof printed;
    } catch {
      return [...problems, `batch: stdout is not one JSON summary: ${result.stdout.slice(0, 200)}`];
    }
    const { files, records, rows, quarantined, skipped, skipped_paths } = printed;
    if (files !== batch.length) problems.push(`batch: printed files ${files}, batch has ${batch.length}`);
    // Every input is a plain file under plain folders, so the walk must leave none out.
    if (canon(skipped_paths ?? {}) !== "{}") problems.push(`batch: the walk left out ${canon(skipped_paths)}`);
    const counted = { files, records, rows, quarantined, skipped };
    const summed = {
      files: totals.files,
      records: totals.records,
      rows: totals.rows,
      quarantined: totals.quarantined,
      skipped: totals.skipped,
    };
    if (canon(counted) !== canon(summed))
      problems.push(`batch: printed ${canon(counted)}, manifests sum to ${canon(summed)}`);
  }
  return problems;
}

async function writeBatch(root: string, batch: readonly FuzzInput[]): Promise<string> {
  const dir = join(root, "in");
  for (const input of batch) {
    const path = join(dir, input.key);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, input.bytes);
  }
  return dir;
}

describe(`loglake ingest of ${inputs.length} mutated fixture objects (seed ${SEED})`, () => {
  it("generates every required kind of input, the same for the same seed", () => {
    const some = fixtures.filter((_f, i) => i % 8 === 0);
    const plan = { seed: SEED, perFixture: 4, positions: "rotate", bombBytes: 1024 * 1024 } as const;
    const [first, again] = [fuzzInputs(some, plan), fuzzInputs(some, plan)];
    const digest = (xs: FuzzInput[]) =>
      createHash("sha256")
        .update(xs.map((x) => `${x.key}\n${createHash("sha256").update(x.bytes).digest("hex")}`).join("\n"))
        .digest("hex");
    const required = [
      /^truncate@/,
      /^flip@/,
      /^utf8-/,
      /^nul@/,
      /^bom@/,
      /^cr-(start|end)@field/,
      /^crlf-mid@field/,
      /^(esc|raw)-cr@value/,
      /^huge-line@/,
      /^deep-nesting@/,
      /^records-unclosed/,
      /^gzip\+garbage$/,
      /^not-gzip\.gz$/,
      /^empty$/,
      /^gzip-bomb-/,
      /^random-bytes/,
    ];
    expect(digest(again)).toBe(digest(first));
    expect(required.filter((r) => !inputs.some((i) => r.test(i.mutation))).map(String)).toStrictEqual([]);
    expect(batches.flat().length).toBe(inputs.length);
  });

  it.each(batches.map((b, i) => [i, b] as const))(
    "batch %i: exit 0, bounded time and memory, every input accounted for in its manifest and the lake",
    async (i, batch) => {
      const root = await mkdtemp(join(tmpdir(), `loglake-fuzz-${i}-`));
      const dir = await writeBatch(root, batch);
      const problems = await checkBatch(root, batch, dir);
      if (problems.length > 0 && KEEP) problems.unshift(`kept inputs in ${dir}`);
      else roots.push(root);
      expect(problems).toStrictEqual([]);
    },
    2 * BATCH_TIMEOUT_MS + BISECT_MS + 60_000,
  );
});
