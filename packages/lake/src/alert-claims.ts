import { mkdir, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";

/**
 * Alert claims as marker files below `dir`, created with O_EXCL (`wx`): the file system lets exactly one creator
 * win, across processes. For `loglake dev` and local runs; in AWS the markers are conditional S3 writes. Forwarding
 * to CloudWatch Logs claims its calls the same way, and asks `claimed` first.
 */
export function localAlertClaims(dir: string): {
  claimed(key: string): Promise<boolean>;
  claim(key: string, body: string): Promise<boolean>;
  release(key: string): Promise<void>;
} {
  const path = (key: string) => {
    if (key.split("/").includes("..")) throw new Error(`alert key must not contain "..": ${key}`);
    return join(dir, ...key.split("/"));
  };
  return {
    async claimed(key) {
      try {
        await stat(path(key));
        return true;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === "ENOENT") return false;
        throw e;
      }
    },
    async claim(key, body) {
      const target = path(key);
      await mkdir(dirname(target), { recursive: true });
      try {
        await writeFile(target, body, { flag: "wx" });
        return true;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === "EEXIST") return false;
        throw e;
      }
    },
    async release(key) {
      await rm(path(key), { force: true });
    },
  };
}
