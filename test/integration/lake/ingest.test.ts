import { link, mkdir, mkdtemp, readdir, readFile, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { IngestManifest } from "@app/core/lake-layout";
import { SOURCES } from "@app/core/sources/index";
import { expandPaths, ingestFiles, ingestToLake } from "@app/lake/ingest";
import { openLake } from "@app/lake/query";
import { LocalLakeStore } from "@app/lake/store";
import { describe, expect, it } from "vitest";
import { withDuckDb } from "../../helpers/duckdb.ts";
import { poisonSource } from "../../helpers/poison-source.ts";

const lines = [
  '{"timestamp":"2024-05-01T10:00:00Z","type":"auth","action":"login","result":"success","user_id":"u1"}',
  '{"timestamp":"2024-05-01T10:00:05Z","type":"auth","action":"login","result":"failure","user_id":"u2"}',
  '{"timestamp":"2024-05-01T11:00:00Z","type":"auth","action":"logout","user_id":"u1"}',
].join("\n");

async function* bytes() {
  yield new TextEncoder().encode(`${lines}\n`);
}

async function ingestTwice(staleFiles: "delete" | "record") {
  const store = new LocalLakeStore(await mkdtemp(join(tmpdir(), "lake-")));
  return withDuckDb(async (db) => {
    const common = {
      db,
      store,
      sources: SOURCES,
      key: "app/api/x.jsonl",
      sourceObject: "s3://b/app/api/x.jsonl",
      ingestTime: "2024-05-02T00:00:00Z",
      name: "obj",
    };
    // First run writes one file per row; the second writes one file per hour, so one earlier file is not rewritten.
    await ingestToLake({ ...common, bytes: bytes(), rowsPerFile: 1 });
    const second = await ingestToLake({ ...common, bytes: bytes(), staleFiles });
    return { store, second };
  });
}

describe("ingestToLake", () => {
  it("replaces an earlier ingest of the same input, deleting files it no longer writes", async () => {
    const { store, second } = await ingestTwice("delete");
    expect(second.files).toStrictEqual([
      "app_events/dt=2024-05-01/hour=10/obj-0-0.parquet",
      "app_events/dt=2024-05-01/hour=11/obj-0-0.parquet",
    ]);
    expect(await store.list("app_events")).toStrictEqual(second.files);
    expect(second.stale_files).toBeUndefined();
  });

  it("records files it may not delete in the manifest for the compactor", async () => {
    const { store, second } = await ingestTwice("record");
    expect(second.stale_files).toStrictEqual([
      "app_events/dt=2024-05-01/hour=10/obj-1-0.parquet",
      "app_events/dt=2024-05-01/hour=11/obj-2-0.parquet",
    ]);
    expect(await store.list("app_events")).toStrictEqual([...second.files, ...(second.stale_files ?? [])].sort());
    const manifest = JSON.parse((await store.getText("_ingest/obj.json")) as string) as IngestManifest;
    expect(manifest.summary).toStrictEqual({
      source: "app_json",
      records: 3,
      rows: { app_events: 3 },
      quarantined: {},
      skipped: {},
    });
  });
});

const ROBUSTNESS = join(import.meta.dirname, "../../fixtures/robustness");

/** Staging directories this process still has in the temporary directory. */
async function ownStaging(): Promise<string[]> {
  return (await readdir(tmpdir())).filter((n) => n.startsWith(`loglake-stage-${process.pid}-`));
}

describe("ingestFiles when a file cannot be written", () => {
  it("quarantines that file as a whole under its own name and ingests the others", async () => {
    // Prepare: a CR-laden app log, a CloudFront log with `q=%0D` (decoded to CR) and a file whose rows DuckDB refuses.
    const root = await mkdtemp(join(tmpdir(), "lake-"));
    const store = new LocalLakeStore(root);
    await withDuckDb(async (db) => {
      const files = ["app-cr.jsonl", "poison.log", "E2EXAMPLE.2019-12-04-21.cr000001"].map((f) => join(ROBUSTNESS, f));
      const manifests: Record<string, unknown> = {};
      // Act
      const totals = await ingestFiles({
        db,
        store,
        sources: [poisonSource, ...SOURCES],
        files,
        lanes: 2,
        onFile: (file, m) => {
          manifests[file.slice(ROBUSTNESS.length + 1)] = { summary: m.summary, files: m.files.length };
        },
      });
      await openLake(store, db);
      const quarantine = await db.runAndReadAll(
        "SELECT reason, source_kind, replace(source_object, $dir, '') AS object, source_line, message, raw FROM quarantine",
        { dir: `${ROBUSTNESS}/` },
      );
      const values = await db.runAndReadAll(
        "SELECT message AS v FROM app_events UNION ALL SELECT cs_uri_query FROM cloudfront ORDER BY v",
      );
      // Assess
      expect(totals).toStrictEqual({
        files: 3,
        records: 10,
        rows: { app_events: 3, cloudfront: 3 },
        quarantined: { write_failed: 2 },
        skipped: { header: 2 },
      });
      expect(manifests).toStrictEqual({
        "app-cr.jsonl": {
          summary: { source: "app_json", records: 3, rows: { app_events: 3 }, quarantined: {}, skipped: {} },
          files: 1,
        },
        "poison.log": {
          summary: { source: "app_json", records: 2, rows: {}, quarantined: { write_failed: 2 }, skipped: {} },
          files: 1,
        },
        "E2EXAMPLE.2019-12-04-21.cr000001": {
          summary: {
            source: "cloudfront",
            records: 5,
            rows: { cloudfront: 3 },
            quarantined: {},
            skipped: { header: 2 },
          },
          files: 1,
        },
      });
      const poison = join(ROBUSTNESS, "poison.log");
      expect(quarantine.getRowObjectsJson()).toStrictEqual([
        {
          reason: "write_failed",
          source_kind: "app_json",
          object: "poison.log",
          source_line: "1",
          message: `${poison}: its rows could not be written to Parquet (app_events: Conversion Error: CSV Error on Line: 1: Error when converting column "status_code". Could not convert string "3000000000" to 'INTEGER'); none of its 2 record(s) are in the lake`,
          raw: null,
        },
      ]);
      expect(values.getRowObjectsJson().map((r) => r.v)).toStrictEqual([
        "a\r\nb",
        "a=\r\nb\r",
        "bare\rcr",
        "plain",
        "q=\r",
        null,
      ]);
      expect(await ownStaging()).toStrictEqual([]);
    });
  });
});

describe("ingestFiles when a lane fails", () => {
  // Six small CloudFront logs and six app logs, so two lanes run; the lake's app_events folder is a file, so every
  // app file fails to publish (ENOTDIR) while the other lane is busy with CloudFront.
  async function inputs(): Promise<string[]> {
    const dir = await mkdtemp(join(tmpdir(), "lanes-"));
    const cf = await readFile(join(ROBUSTNESS, "E2EXAMPLE.2019-12-04-21.cr000001"), "utf8");
    const files: string[] = [];
    for (let i = 0; i < 6; i++) {
      files.push(join(dir, `E2EXAMPLE.2019-12-04-2${i}.lane000${i}`), join(dir, `app${i}.jsonl`));
      await writeFile(files.at(-2) as string, cf.replaceAll("q=%0D", `q=${i}`));
      await writeFile(files.at(-1) as string, `{"timestamp":"2025-06-12T1${i}:00:00Z","message":"m${i}"}\n`);
    }
    return files.sort();
  }

  it("stops taking files, settles every lane, then throws the first error, every time", {
    timeout: 60_000,
  }, async () => {
    const files = await inputs();
    for (let trial = 0; trial < 6; trial++) {
      // Prepare
      const root = await mkdtemp(join(tmpdir(), "lake-"));
      await writeFile(join(root, "app_events"), "not a folder\n");
      await withDuckDb(async (db) => {
        // Act
        const failure = await ingestFiles({
          db,
          store: new LocalLakeStore(root),
          sources: SOURCES,
          files,
          lanes: 2,
        }).then(
          () => undefined,
          (e: unknown) => e as NodeJS.ErrnoException,
        );
        // Assess: the connection is idle again (nothing left running on it) and no staging is left.
        expect(failure?.code).toBe("ENOTDIR");
        expect((await db.runAndReadAll("SELECT 42 AS n")).getRowObjectsJson()).toStrictEqual([{ n: 42 }]);
      });
      expect(await ownStaging()).toStrictEqual([]);
    }
  });
});

describe("expandPaths", () => {
  it("follows symbolic links once, reads hidden files, leaves out VCS folders and counts what it left out", async () => {
    // Prepare
    const w = await mkdtemp(join(tmpdir(), "walk-"));
    const d = join(w, "logs");
    await mkdir(join(d, ".git", "objects"), { recursive: true });
    await mkdir(join(w, "elsewhere", "sub"), { recursive: true });
    for (const f of ["plain.jsonl", ".hidden.jsonl", ".git/objects/packed.jsonl", "../elsewhere/target.jsonl"]) {
      await writeFile(join(d, f), "{}\n");
    }
    await writeFile(join(w, "elsewhere", "sub", "deep.jsonl"), "{}\n");
    await symlink(join(w, "elsewhere", "target.jsonl"), join(d, "linked.jsonl"));
    await symlink(join(w, "elsewhere", "sub"), join(d, "linked-dir"));
    await symlink(join(w, "elsewhere", "sub"), join(d, "linked-dir-again"));
    await symlink(d, join(d, "loop"));
    await symlink(join(w, "missing.jsonl"), join(d, "broken.jsonl"));
    await link(join(d, "plain.jsonl"), join(d, "plain-hardlink.jsonl"));
    // Act
    const walked = await expandPaths([d, join(d, "plain.jsonl")]);
    // Assess
    const rel = (f: string) => f.slice(w.length + 1);
    expect({
      ...walked,
      files: walked.files.map(rel),
      keys: Object.fromEntries(Object.entries(walked.keys).map(([f, k]) => [rel(f), k])),
    }).toStrictEqual({
      files: ["logs/.hidden.jsonl", "logs/linked-dir/deep.jsonl", "logs/linked.jsonl", "logs/plain-hardlink.jsonl"],
      // A walked file is detected by its path below the directory named, as a key in a bucket laid out alike.
      keys: {
        "logs/.hidden.jsonl": ".hidden.jsonl",
        "logs/linked-dir/deep.jsonl": "linked-dir/deep.jsonl",
        "logs/linked.jsonl": "linked.jsonl",
        "logs/plain-hardlink.jsonl": "plain-hardlink.jsonl",
      },
      // The hard link and plain.jsonl are one file (twice, as the walk and the argument meet it), as are both links
      // to one folder.
      skipped: { broken_symlink: 1, duplicate: 3, symlink_loop: 1, vcs_folder: 1 },
    });
  });
});

describe("LocalLakeStore", () => {
  it("lets concurrent writers of one file each rename a whole file of their own", async () => {
    const store = new LocalLakeStore(await mkdtemp(join(tmpdir(), "lake-")));
    const texts = Array.from({ length: 16 }, (_, i) => `writer ${i}\n`);
    await Promise.all(texts.map((t) => store.putText("_ingest/x.json", t)));
    expect(texts).toContain(await store.getText("_ingest/x.json"));
    expect(await readdir(join(store.root, "_ingest"))).toStrictEqual(["x.json"]);
  });
});
