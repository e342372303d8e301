import { mkdir, open, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { InputError } from "../errors.ts";

/** Where `loglake dev` keeps its state when `--data-dir` is not given, relative to the working directory. */
export const DEFAULT_DATA_DIR = ".loglake/dev";

/** The files and folders of a data directory. */
export interface DataDir {
  root: string;
  /** One folder per bucket: every object's body and metadata. */
  s3: string;
  /** The messages of the ingest queue and its DLQ. */
  sqs: string;
  /** kinesalite's LevelDB: streams, shards and records with their sequence numbers. */
  kinesis: string;
  /** Per shard: the last sequence number committed and the batch in flight. */
  checkpoints: string;
  /** The source objects already announced to the ingest queue (key → ETag). */
  notifier: string;
  /** The process id of the `loglake dev` using the directory. */
  lock: string;
}

/** What survives a restart only in part, or not at all; printed in the ready line and on stderr. */
export const NOT_KEPT: readonly string[] = [
  "SQS message ids, receipt handles, receive counts and visibility timers: restored messages are sent anew, visible at once, with their receive count back at 0",
  "queues other than the ingest queue and its DLQ",
  "unfinished multipart uploads",
  "object LastModified times (the time of the restore)",
];

/** What an in-memory run loses: everything. */
export const IN_MEMORY_NOT_KEPT: readonly string[] = [
  "everything (--in-memory): objects, messages, stream records, checkpoints and lake files end with the process",
];

export function dataDirLayout(dir: string): DataDir {
  const root = resolve(dir);
  return {
    root,
    s3: join(root, "s3"),
    sqs: join(root, "sqs.json"),
    kinesis: join(root, "kinesis"),
    checkpoints: join(root, "kinesis-checkpoints.json"),
    notifier: join(root, "notifier.json"),
    lock: join(root, "dev.pid"),
  };
}

let tmpSeq = 0;

/** Replaces a file in one step (write beside it, then rename), so a killed process leaves the old or the new one. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = `${path}.${process.pid}.${++tmpSeq}.tmp`;
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

/** A JSON state file, or undefined when there is none yet. */
export async function readJsonFile<T>(path: string): Promise<T | undefined> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new InputError(`${path}: not a loglake dev state file (invalid JSON); remove it or use another --data-dir`);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Creates the data directory and claims it for this process; a second `loglake dev` on the same directory is refused
 * (the emulators' files cannot be shared). A claim left by a killed process is taken over. Returns the release.
 */
export async function claimDataDir(dir: DataDir): Promise<() => Promise<void>> {
  await mkdir(dir.s3, { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fh = await open(dir.lock, "wx");
      await fh.writeFile(`${process.pid}\n`);
      await fh.close();
      return () => rm(dir.lock, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
    const pid = Number((await readFile(dir.lock, "utf8").catch(() => "")).trim());
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
      throw new InputError(
        `--data-dir ${dir.root}: in use by another loglake dev (pid ${pid}); stop it or choose another directory`,
      );
    }
    await rm(dir.lock, { force: true });
  }
  throw new InputError(`--data-dir ${dir.root}: could not claim ${dir.lock}`);
}
