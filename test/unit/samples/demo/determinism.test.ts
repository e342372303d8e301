import { createHash } from "node:crypto";
import { cloudfrontEscape } from "@app/samples/demo/cloudfront";
import { DEMO_DEFAULTS, type DemoFile, demoFiles } from "@app/samples/demo/index";
import { beforeAll, describe, expect, it } from "vitest";

function digest(files: readonly DemoFile[]): string {
  const h = createHash("sha256");
  for (const f of files) h.update(`${f.path}\0${f.gzip}\0${f.source}\0${f.records}\0${f.bad}\0${f.contents}\0`);
  return h.digest("hex");
}

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
    expect(digest(files)).toBe("b7d5f52a3301ac79245e1e2bb8c1e9b3991b335f560f1e1171fcc36152b29bad");
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
