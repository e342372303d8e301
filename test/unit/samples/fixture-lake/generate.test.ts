import { readdir, readFile } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { gunzipSync } from "node:zlib";
import { FIXTURE, fixtureLakeFiles } from "@app/samples/fixture-lake/generate";
import { describe, expect, it } from "vitest";

/** A file's text; gzip members are compared uncompressed, since deflate output may differ between zlib builds. */
function text(path: string, bytes: Uint8Array): string {
  return (path.endsWith(".gz") ? gunzipSync(bytes) : Buffer.from(bytes)).toString("utf8");
}

describe("fixtureLakeFiles", () => {
  it("generates exactly the committed raw logs and ingest times", async () => {
    // Prepare
    const entries = await readdir(FIXTURE.raw, { recursive: true, withFileTypes: true });
    const committed = await Promise.all(
      entries
        .filter((e) => e.isFile())
        .map(async (e) => {
          const abs = join(e.parentPath, e.name);
          const path = relative(FIXTURE.raw, abs).split(sep).join("/");
          return [path, text(path, await readFile(abs))] as const;
        }),
    );
    const ingestTimes = await readFile(join(FIXTURE.dir, "ingest-times.json"), "utf8");
    // Act
    const files = fixtureLakeFiles();
    // Assess
    const generated = files.map((f) => [f.path, text(f.path, Buffer.from(f.body))] as const);
    const byPath = (a: readonly [string, string], b: readonly [string, string]) => (a[0] < b[0] ? -1 : 1);
    expect(generated.sort(byPath)).toStrictEqual(committed.sort(byPath));
    expect(`${JSON.stringify(Object.fromEntries(files.map((f) => [f.path, f.ingestTime])), null, 2)}\n`).toBe(
      ingestTimes,
    );
  });
});
