import { createHash } from "node:crypto";
import { type BenchFile, benchCloudFront, benchCloudTrail } from "@app/samples/bench";
import { cloudfrontEscape } from "@app/samples/demo/cloudfront";
import { DEMO_DEFAULTS, type DemoFile, demoFiles } from "@app/samples/demo/index";
import { Rng } from "@app/samples/random";
import { beforeAll, describe, expect, it } from "vitest";

function digest(files: readonly DemoFile[]): string {
  const h = createHash("sha256");
  for (const f of files) h.update(`${f.path}\0${f.gzip}\0${f.source}\0${f.records}\0${f.bad}\0${f.contents}\0`);
  return h.digest("hex");
}

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

describe("Rng", () => {
  it("gives the same sequence for the same seed and a different one for another seed", () => {
    const draw = (seed: number | string) => {
      const r = new Rng(seed);
      return Array.from({ length: 6 }, () => r.u32());
    };
    expect(draw(7)).toStrictEqual(draw(7));
    expect(draw("seven")).toStrictEqual(draw("seven"));
    expect(draw(7)).not.toStrictEqual(draw(8));
    // Pinned: the generator's arithmetic must not drift between versions or machines.
    expect(draw(7)).toStrictEqual([838155491, 1550620431, 3610122010, 3621410451, 1671033217, 2289101469]);
  });

  it("keeps ints in range and uuids in version-4 form", () => {
    const r = new Rng(1);
    for (let i = 0; i < 2000; i++) {
      const n = r.int(-3, 3);
      expect(n >= -3 && n <= 3 && Number.isInteger(n)).toBe(true);
    }
    expect(r.uuid()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe("cloudfrontEscape", () => {
  it("escapes what CloudFront escapes and leaves the rest", () => {
    expect(cloudfrontEscape("Mozilla/5.0 (X11; Linux x86_64)")).toBe("Mozilla/5.0%20(X11;%20Linux%20x86_64)");
    expect(cloudfrontEscape(`q=déjà vu&x="<a>"#%{}|\\^~[]\`'`)).toBe(
      "q=d%C3%A9j%C3%A0%20vu&x=%22%3Ca%3E%22%23%25%7B%7D%7C%5C%5E%7E%5B%5D%60%27",
    );
    expect(cloudfrontEscape("/api/products?page=2")).toBe("/api/products?page=2");
  });
});

// Generating the full set takes a few seconds on a busy 2-core machine.
const SLOW = { timeout: 60_000 };

describe("demoFiles", () => {
  let files: DemoFile[] = [];
  beforeAll(() => {
    files = demoFiles();
  }, SLOW.timeout);

  it("produces the same bytes for the same options (pinned hash)", SLOW, () => {
    expect(digest(demoFiles({ days: 2 }))).toBe(digest(demoFiles({ ...DEMO_DEFAULTS, days: 2 })));
    // Pinned: the default set is the same on every run and machine.
    expect(digest(files)).toBe("52df175026d2382d7fc1eab1ff9742e3185ba73a64d66d3fb336079c32fbd3dc");
  });

  it("changes with the seed and the end date", SLOW, () => {
    const base = digest(demoFiles({ days: 2 }));
    expect(digest(demoFiles({ days: 2, seed: 1 }))).not.toBe(base);
    expect(digest(demoFiles({ days: 2, endDate: "2025-06-13" }))).not.toBe(base);
  });

  it("rejects bad options with a clear error", () => {
    expect(() => demoFiles({ days: 0 })).toThrow("days must be 1..366, got 0");
    expect(() => demoFiles({ endDate: "2025-02-30" })).toThrow('"2025-02-30" is not a calendar date');
    expect(() => demoFiles({ endDate: "June 8" })).toThrow('expected a YYYY-MM-DD date, got "June 8"');
  });

  it("covers the requested days with one CloudFront file per hour and stays a few MB", () => {
    const cf = files.filter((f) => f.source === "cloudfront");
    expect(cf.length).toBe(8 * 24);
    const hours = cf.map((f) => /\.(\d{4}-\d{2}-\d{2}-\d{2})\./.exec(f.path)?.[1]);
    expect(hours[0]).toBe("2025-06-05-00");
    expect(hours.at(-1)).toBe("2025-06-12-23");
    expect(new Set(files.map((f) => f.path)).size).toBe(files.length);
    const bytes = files.reduce((n, f) => n + f.contents.length, 0);
    expect(bytes).toBeGreaterThan(5e6);
    expect(bytes).toBeLessThan(40e6);
    for (const f of files) expect(f.gzip).toBe(f.path.endsWith(".gz"));
  });
});

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
