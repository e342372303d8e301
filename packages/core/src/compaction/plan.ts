import { findingsTable } from "../findings/schema.ts";
import type { CompactionManifest, Partition } from "../lake-layout.ts";
import type { TableDef } from "../schema/table.ts";
import { TABLES } from "../sources/index.ts";
import { quarantineTable } from "../sources/quarantine/schema.ts";

/**
 * Tables the compactor merges. Quarantine keeps its files per input (replay rewrites an input's quarantine files
 * under that input's manifest) and findings keep theirs per report run (a re-run replaces its own files); both are
 * small.
 */
export const COMPACTED_TABLES: readonly TableDef[] = TABLES.filter(
  (t) => t.name !== quarantineTable.name && t.name !== findingsTable.name,
);

/** How the compactor chooses its work: settle window, size target and the status threshold of files per hour. */
export interface CompactionSettings {
  /** Hours after a partition-hour ends before it is compacted: late files still arrive until then. */
  settleHours: number;
  /** Largest merged file, in bytes of its inputs' Parquet. */
  targetFileBytes: number;
}

/** Defaults of the `compaction` config keys. */
export const DEFAULT_COMPACTION = {
  settleHours: 2,
  targetFileBytes: 256 * 1024 * 1024,
  /** Files in one partition-hour of a table above which `loglake status` says compaction is behind. */
  maxFilesPerHour: 50,
} as const;

/** One Parquet file of a partition-hour, as the store lists it. */
export interface HourFile {
  key: string;
  bytes: number;
}

/** The files of one table and partition-hour, and the compaction manifest committed there (if any). */
export interface HourState {
  table: string;
  partition: Partition;
  files: readonly HourFile[];
  manifest?: CompactionManifest;
  /** Files a re-ingest of their input no longer names (its manifest's `stale_files`): deleted, never merged. */
  stale?: readonly string[];
  /** Files no manifest names yet (an ingest still running, or one that stopped before its manifest): left alone. */
  unowned?: readonly string[];
}

/** What the compactor does with one partition-hour. */
export interface HourPlan {
  table: string;
  partition: Partition;
  /**
   * `unsettled`: too recent; `done`: nothing to gain; `finish`: only delete files a committed compaction replaced;
   * `compact`: merge `groups` into one file each, then delete `replaces`.
   */
  action: "unsettled" | "done" | "finish" | "compact";
  /** Files a committed compaction already replaced that are still there (a run stopped before deleting them). */
  leftovers: string[];
  /** The files to merge, one group per output file. */
  groups: HourFile[][];
  /** Every file the new compaction replaces: the groups' files and the outputs of a compaction that did not land. */
  replaces: string[];
}

const HOUR_MS = 3600 * 1000;

/** True when a partition-hour ended at least `settleHours` before `now`. */
export function isSettled(partition: Partition, now: Date, settleHours: number): boolean {
  const start = Date.parse(`${partition.dt}T${partition.hour}:00:00Z`);
  return now.getTime() >= start + HOUR_MS + settleHours * HOUR_MS;
}

/**
 * Packs files into as few groups as the size target allows (first fit, largest first; a file larger than the target
 * is a group of its own). Deterministic: equal sizes keep key order, and groups are ordered by their first key.
 */
export function packBySize(files: readonly HourFile[], targetBytes: number): HourFile[][] {
  const sorted = [...files].sort((a, b) => b.bytes - a.bytes || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const groups: { bytes: number; files: HourFile[] }[] = [];
  for (const f of sorted) {
    const g = groups.find((x) => x.bytes + f.bytes <= targetBytes);
    if (g) {
      g.files.push(f);
      g.bytes += f.bytes;
    } else groups.push({ bytes: f.bytes, files: [f] });
  }
  return groups
    .map((g) => g.files.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)))
    .sort((a, b) => ((a[0] as HourFile).key < (b[0] as HourFile).key ? -1 : 1));
}

/**
 * Plans one partition-hour. A committed compaction whose files are all present replaced its inputs: those still
 * listed are leftovers to delete. One whose files are not all present did not land: its inputs are all still there
 * (inputs are deleted only after every merged file is in place), so it is planned again and its stray outputs are
 * replaced too. An hour is merged when packing its live files makes fewer files.
 */
export function planHour(state: HourState, now: Date, settings: CompactionSettings): HourPlan {
  const present = new Set(state.files.map((f) => f.key));
  const m = state.manifest;
  const landed = m?.files.every((f) => present.has(f)) === true;
  const leftovers = m && landed ? m.replaces.filter((f) => present.has(f) && !m.files.includes(f)).sort() : [];
  const stray = m && !landed ? m.files.filter((f) => present.has(f)).sort() : [];
  const stale = (state.stale ?? []).filter((f) => present.has(f));
  const dropped = new Set([...leftovers, ...stray, ...stale, ...(state.unowned ?? [])]);
  const live = state.files.filter((f) => !dropped.has(f.key));
  const base = { table: state.table, partition: state.partition, leftovers, groups: [], replaces: [] };
  if (!isSettled(state.partition, now, settings.settleHours) && m === undefined)
    return { ...base, action: "unsettled" };
  const groups = packBySize(live, settings.targetFileBytes);
  if (groups.length < live.length || stale.length > 0 || (m !== undefined && !landed && live.length > 0)) {
    const replaces = [...new Set([...live.map((f) => f.key), ...stray, ...stale])].sort();
    return { ...base, action: "compact", groups, replaces };
  }
  return { ...base, action: leftovers.length > 0 ? "finish" : "done" };
}
