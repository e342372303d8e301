import { createHash } from "node:crypto";
import { type BenchFile, benchCloudFront, benchCloudTrail } from "@app/samples/bench";
import { describe, expect, it } from "vitest";

async function benchDigest(files: readonly BenchFile[]): Promise<{ sha256: string; text: string[] }> {
  const h = createHash("sha256");
  const text: string[] = [];
  for (const f of files) {
    let body = "";
    for await (const chunk of f.chunks()) body += chunk;
    h.update(`${f.path}\0${f.records}\0${body}\0`);
    text.push(body);
  }
  return { sha256: h.digest("hex"), text };
}

describe("bench generators", () => {
  it("replay the same bytes, hold the stated record counts and are valid in their format", async () => {
    const cf = await benchDigest(benchCloudFront({ lines: 3001, seed: 5, files: 3 }));
    const cfAgain = await benchDigest(benchCloudFront({ lines: 3001, seed: 5, files: 3 }));
    expect(cf.sha256).toBe(cfAgain.sha256);
    expect(cf.sha256).toBe("8957e9d1302a23447a8ee0cce091eb978278318802202071c1d3e265685b89fb");
    const cfLines = cf.text.map((t) => t.split("\n").filter((l) => l.length > 0 && !l.startsWith("#")));
    expect(cfLines.map((l) => l.length)).toStrictEqual([1001, 1000, 1000]);
    for (const l of cfLines.flat()) expect(l.split("\t").length).toBe(33);

    const ct = await benchDigest(benchCloudTrail({ records: 1250, seed: 5, perFile: 400 }));
    expect(ct.sha256).toBe((await benchDigest(benchCloudTrail({ records: 1250, seed: 5, perFile: 400 }))).sha256);
    expect(ct.sha256).toBe("602851134b70fbe268b817e367b0bf76f6aa2afb710e927f2b798fab6d1ea09f");
    const parsed = ct.text.map((t) => (JSON.parse(t) as { Records: { eventID: string; eventTime: string }[] }).Records);
    expect(parsed.map((r) => r.length)).toStrictEqual([313, 313, 312, 312]);
    const ids = parsed.flat().map((r) => r.eventID);
    expect(new Set(ids).size).toBe(ids.length);
    for (const records of parsed) {
      const times = records.map((r) => r.eventTime);
      expect(times).toStrictEqual([...times].sort());
    }
  });

  it("differ between seeds", async () => {
    const a = await benchDigest(benchCloudTrail({ records: 50, seed: 1 }));
    const b = await benchDigest(benchCloudTrail({ records: 50, seed: 2 }));
    expect(a.sha256).not.toBe(b.sha256);
  });
});
