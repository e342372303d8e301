import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Alert, alertClaimKey, alertMessage, alertOf } from "@app/core/alerts/alert";
import {
  allowlistRows,
  CONFIG_TABLES,
  configTableFile,
  DEFAULT_DETECTION_SETTINGS,
  toDuckDbConfigRowsView,
  toDuckDbConfigView,
} from "@app/core/detections/allowlist";
import { parsePartitionPath } from "@app/core/lake-layout";
import type { SavedQuery } from "@app/core/queries/header";
import { toDuckDbEmptyView, toDuckDbView } from "@app/core/schema/duckdb";
import { TABLES } from "@app/core/sources/index";
import { installTrinoCompat } from "@app/lake/compat";
import { openDuckDb, siblingConnection } from "@app/lake/duckdb";
import { runPrepared } from "@app/lake/query";
import type { LakeStore } from "@app/lake/store";
import type { DuckDBConnection } from "@duckdb/node-api";
import type { Log } from "./log.ts";

/** Claims an alert once: true for the first claim of a key, false when it was claimed before. */
export interface AlertClaims {
  claim(key: string, body: string): Promise<boolean>;
  /** Gives a claim back (its alert could not be published), so a retry publishes it. */
  release(key: string): Promise<void>;
}

/** Publishes alerts to the alerts topic. */
export interface AlertPublisher {
  publish(args: { subject: string; message: string; dedupId: string }): Promise<void>;
}

/** What the consumers need to alert on what they ingest. */
export interface AlertRuntime {
  /** Detections with `alert: true`, evaluated on every batch of new rows of the tables they read. */
  detections: readonly SavedQuery[];
  claims: AlertClaims;
  publisher: AlertPublisher;
}

/** What one evaluation did. */
export interface AlertOutcome {
  /** Rows the detections returned. */
  matched: number;
  published: Alert[];
  /** Alerts claimed before (redelivery, or another consumer). */
  duplicates: number;
}

/**
 * Runs every alert detection over the rows an object or batch has just written (the lake files `files` names,
 * read back), with the period parameters set to the days those rows fall on, and publishes each row it returns as
 * an alert, once per (detection, event): the claim comes first, and is given back when publishing fails (the
 * error is thrown, so the message is retried and the claim made again). The allow-list comes from the lake.
 */
export async function alertOnRows(args: {
  alerts: AlertRuntime;
  lake: LakeStore;
  db: DuckDBConnection;
  files: readonly string[];
  log: Log;
}): Promise<AlertOutcome> {
  const outcome: AlertOutcome = { matched: 0, published: [], duplicates: 0 };
  const read = new Set(args.alerts.detections.flatMap((d) => d.tables));
  const fresh = args.files.filter((f) => f.endsWith(".parquet") && read.has(f.split("/")[0] as string));
  if (fresh.length === 0) return outcome;
  const dir = await mkdtemp(join(tmpdir(), "loglake-alerts-"));
  const conn = await siblingConnection(args.db).catch(() => openDuckDb({ threads: 1 }));
  try {
    const days = new Set<string>();
    const tables = new Set<string>();
    for (const f of fresh) {
      const [table, dt, hour] = f.split("/");
      days.add(parsePartitionPath(`${dt}/${hour}`).dt);
      tables.add(table as string);
      await args.lake.getToFile(f, join(dir, ...f.split("/")));
    }
    await installTrinoCompat(conn);
    // Only the new rows: a log table this batch did not write is empty here, never the whole lake.
    for (const t of TABLES) await conn.run(tables.has(t.name) ? toDuckDbView(t, dir) : toDuckDbEmptyView(t));
    for (const view of await configViews(args.lake, dir)) await conn.run(view);
    const sorted = [...days].sort();
    const period = { from: sorted[0] as string, to: sorted[sorted.length - 1] as string };
    for (const d of args.alerts.detections) {
      if (!d.tables.some((t) => tables.has(t))) continue;
      const values = d.params.map((p) => period[p]);
      const result = await runPrepared(conn, d.sql, values);
      outcome.matched += result.rows.length;
      for (const row of result.rows) {
        const alert = alertOf(d, row);
        const key = alertClaimKey(alert);
        const { subject, message } = alertMessage(alert);
        if (!(await args.alerts.claims.claim(key, message))) {
          outcome.duplicates++;
          continue;
        }
        try {
          await args.alerts.publisher.publish({ subject, message, dedupId: key });
        } catch (e) {
          await args.alerts.claims.release(key);
          throw e;
        }
        outcome.published.push(alert);
        args.log.info("alert published", { detection: d.id, event_id: alert.event_id, key });
      }
    }
    return outcome;
  } finally {
    conn.closeSync();
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Views of the configuration tables (the allow-list) over the lake's copy fetched into `dir`, or over the default
 * settings' rows when the lake has none (as `openLake` does).
 */
async function configViews(lake: LakeStore, dir: string): Promise<string[]> {
  const views: string[] = [];
  for (const table of CONFIG_TABLES) {
    const file = configTableFile(table);
    if ((await lake.list(table.name)).includes(file)) {
      await lake.getToFile(file, join(dir, ...file.split("/")));
      views.push(toDuckDbConfigView(table, dir));
    } else views.push(toDuckDbConfigRowsView(table, allowlistRows(DEFAULT_DETECTION_SETTINGS)));
  }
  return views;
}
