import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";

describe("README audit example", () => {
  it("is the example service the end-to-end test runs, word for word", async () => {
    // Prepare
    const readme = await readFile("README.md", "utf8");
    const file = await readFile("packages/audit/examples/service.ts", "utf8");
    // Act
    const block = /<!-- example:audit-service -->\n```ts\n([\s\S]*?)```\n<!-- \/example:audit-service -->/.exec(
      readme,
    )?.[1];
    // Assess
    expect(block).toBe(file);
  });
});
