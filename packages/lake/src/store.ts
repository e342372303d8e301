import { randomBytes } from "node:crypto";
import { copyFile, mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join, relative, sep } from "node:path";
import type { ChainSigner } from "@app/core/integrity/lake";
import { localChainSigner } from "./chain.ts";

/**
 * A sibling of `target` to write before renaming onto it, unique to this process and call: concurrent writers of
 * the same file (two runs ingesting the same input) then each rename a whole file of their own, and the last one
 * wins, instead of one renaming the other's half-written file away.
 */
export function partialPath(target: string): string {
  return `${target}.${process.pid}-${randomBytes(6).toString("hex")}.partial`;
}

/** Where lake files live: a local directory or an object store. Paths are relative, `/`-separated. */
export interface LakeStore {
  /** Human-readable location, e.g. `/data/lake` or `s3://bucket/prefix`. */
  readonly location: string;
  /** Moves or uploads a finished local file to `relPath`, replacing what is there. */
  putFile(relPath: string, localPath: string): Promise<void>;
  putText(relPath: string, text: string): Promise<void>;
  /** Text at `relPath`, or undefined when there is none. */
  getText(relPath: string): Promise<string | undefined>;
  delete(relPath: string): Promise<void>;
  /** Every file under `prefix`, as relative paths. */
  list(prefix: string): Promise<string[]>;
  /**
   * The files whose relative path starts with `start` (any string, not only a folder) and sorts after `after`, in
   * order: an object store answers from `after` on without listing what comes before.
   */
  listAfter(start: string, after: string): Promise<string[]>;
  /** Copies `relPath` to a local file. */
  getToFile(relPath: string, localPath: string): Promise<void>;
  /** What signs the heads of this lake's manifest chains. */
  chainSigner(): Promise<ChainSigner>;
}

/** A lake in a local directory; its chain heads are signed with a local key file (generated on first use). */
export class LocalLakeStore implements LakeStore {
  private signer?: Promise<ChainSigner>;

  /** `signingKey`: lake-relative path of the key file (default `LOCAL_SIGNING_KEY`). */
  constructor(
    readonly root: string,
    private readonly signingKey?: string,
  ) {}

  chainSigner(): Promise<ChainSigner> {
    this.signer ??= localChainSigner(this, this.signingKey);
    return this.signer;
  }

  get location(): string {
    return this.root;
  }

  private abs(relPath: string): string {
    if (relPath.split("/").includes("..")) throw new Error(`lake path must not contain "..": ${relPath}`);
    return join(this.root, ...relPath.split("/"));
  }

  async putFile(relPath: string, localPath: string): Promise<void> {
    const target = this.abs(relPath);
    await mkdir(dirname(target), { recursive: true });
    try {
      await rename(localPath, target);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EXDEV") throw e;
      // Staging and lake on different file systems: copy to a sibling, then rename so readers never see half a file.
      const tmp = partialPath(target);
      try {
        await copyFile(localPath, tmp);
        await rename(tmp, target);
      } finally {
        await rm(tmp, { force: true });
      }
      await rm(localPath, { force: true });
    }
  }

  async putText(relPath: string, text: string): Promise<void> {
    const target = this.abs(relPath);
    await mkdir(dirname(target), { recursive: true });
    const tmp = partialPath(target);
    try {
      await writeFile(tmp, text);
      await rename(tmp, target);
    } finally {
      await rm(tmp, { force: true });
    }
  }

  async getText(relPath: string): Promise<string | undefined> {
    try {
      return await readFile(this.abs(relPath), "utf8");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw e;
    }
  }

  async delete(relPath: string): Promise<void> {
    await rm(this.abs(relPath), { force: true });
  }

  async list(prefix: string): Promise<string[]> {
    const base = this.abs(prefix);
    const exists = await stat(base).catch(() => undefined);
    if (!exists?.isDirectory()) return [];
    const entries = await readdir(base, { recursive: true, withFileTypes: true });
    return entries
      .filter((e) => e.isFile() && !e.name.endsWith(".partial"))
      .map((e) => relative(this.root, join(e.parentPath, e.name)).split(sep).join("/"))
      .sort();
  }

  /** Every file under `prefix` with its size in bytes. */
  async listSized(prefix: string): Promise<{ key: string; bytes: number }[]> {
    const out: { key: string; bytes: number }[] = [];
    for (const key of await this.list(prefix)) {
      const st = await stat(this.abs(key)).catch(() => undefined);
      if (st) out.push({ key, bytes: st.size });
    }
    return out;
  }

  async listAfter(start: string, after: string): Promise<string[]> {
    const slash = start.lastIndexOf("/");
    const dir = slash === -1 ? "" : start.slice(0, slash + 1);
    return (await this.list(dir)).filter((p) => p.startsWith(start) && p > after);
  }

  async getToFile(relPath: string, localPath: string): Promise<void> {
    await mkdir(dirname(localPath), { recursive: true });
    await copyFile(this.abs(relPath), localPath);
  }
}
