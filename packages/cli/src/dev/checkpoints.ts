import { readJsonFile, writeFileAtomic } from "./data-dir.ts";

/** Where a consumer is in one shard. */
export interface ShardPosition {
  /** Last sequence number fully processed. */
  checkpoint?: string;
  /** The batch handed to the handler and not yet committed: after a crash it is delivered again exactly. */
  pending?: { first: string; last: string };
}

/** Positions per shard id, kept across restarts of the consumer. */
export interface CheckpointStore {
  load(): Promise<Record<string, ShardPosition>>;
  save(positions: Record<string, ShardPosition>): Promise<void>;
}

/** Positions kept for the life of the process: a consumer stopped and started again resumes where it was. */
export function memoryCheckpoints(): CheckpointStore {
  let kept: Record<string, ShardPosition> = {};
  return {
    load: async () => structuredClone(kept),
    save: async (positions) => {
      kept = structuredClone(positions);
    },
  };
}

interface CheckpointFile {
  stream: string;
  shards: Record<string, ShardPosition>;
}

/**
 * Positions kept in a JSON file (replaced in one rename on every save) for one stream; positions saved for another
 * stream name are not used.
 */
export function fileCheckpoints(path: string, stream: string): CheckpointStore {
  return {
    async load() {
      const f = await readJsonFile<CheckpointFile>(path);
      return f?.stream === stream ? f.shards : {};
    },
    save: (positions) => writeFileAtomic(path, JSON.stringify({ stream, shards: positions } satisfies CheckpointFile)),
  };
}
