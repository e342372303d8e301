import { Coalesced } from "@app/cli/dev/sqs-journal";
import { describe, expect, it } from "vitest";

describe("Coalesced", () => {
  it("never runs twice at once, and serves every call made during a run with one run started after it", async () => {
    // Prepare
    const log: string[] = [];
    let release: (() => void) | undefined;
    let n = 0;
    const c = new Coalesced(async () => {
      const run = ++n;
      log.push(`start ${run}`);
      await new Promise<void>((r) => {
        release = r;
      });
      log.push(`end ${run}`);
    });
    // Act
    const first = c.run();
    const second = c.run();
    const third = c.run();
    release?.();
    await first;
    await Promise.resolve();
    await new Promise((r) => setTimeout(r, 0));
    release?.();
    await Promise.all([second, third]);
    // Assess
    expect([log, second === third]).toStrictEqual([["start 1", "end 1", "start 2", "end 2"], true]);
  });

  it("hands a failed run's error to its callers and runs again on the next call", async () => {
    let fail = true;
    const c = new Coalesced(async () => {
      if (fail) throw new Error("disk full");
    });
    const failed = await c.run().then(
      () => "ok",
      (e: Error) => e.message,
    );
    fail = false;
    const next = await c.run().then(() => "ok");
    expect([failed, next]).toStrictEqual(["disk full", "ok"]);
  });
});
