import { execFile } from "node:child_process";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const DIST = "packages/audit/dist";

describe("@loglake/audit as published", () => {
  it("builds to JavaScript that plain Node runs, without DuckDB or loglake's core, masking credentials by default", async () => {
    // Prepare
    await run(process.execPath, ["packages/audit/scripts/build.mjs"]);
    const script = `
      const { createAuditLogger } = await import("./${DIST}/index.js");
      const { stdoutSink } = await import("./${DIST}/sinks/stdout.js");
      const audit = createAuditLogger({ service: "pkg", sinks: [stdoutSink()] });
      await audit.audit({ action: "published", timestamp: "2026-01-01T00:00:00Z" });
      await audit.auth({
        action: "login",
        timestamp: "2026-01-01T00:00:01Z",
        attributes: { password: "hunter2", note: "key AKIAIOSFODNN7EXAMPLE used" },
      });
      await audit.close();
      const { cloudWatchLogsSink } = await import("./${DIST}/sinks/cloudwatch-logs.js");
      const cwl = cloudWatchLogsSink({ client: {}, logGroupName: "g", logStreamName: "s" });
      process.stderr.write(JSON.stringify({ redacted: audit.health().redacted, cwlMaxEventBytes: cwl.maxEventBytes }));`;
    // Act
    const { stdout, stderr } = await run(process.execPath, ["--input-type=module", "-e", script]);
    const manifest = JSON.parse(await readFile(join(DIST, "package.json"), "utf8")) as Record<string, unknown>;
    const files = (await readdir(DIST, { recursive: true })).filter((f) => f.endsWith(".js") || f.endsWith(".d.ts"));
    const texts = await Promise.all(files.map((f) => readFile(join(DIST, f), "utf8")));
    // Assess
    expect(stdout).toBe(
      '{"timestamp":"2026-01-01T00:00:00Z","service":"pkg","level":"info","type":"audit","action":"published"}\n' +
        '{"timestamp":"2026-01-01T00:00:01Z","service":"pkg","level":"info","type":"auth","action":"login",' +
        '"password":"[REDACTED:secret_field]","note":"key [REDACTED:aws_access_key_id] used"}\n',
    );
    expect(JSON.parse(stderr)).toStrictEqual({
      redacted: { secret_field: { mask: 1 }, aws_access_key_id: { mask: 1 } },
      // The vendored PutLogEvents limits: 1 MiB per event, less its 26 bytes of overhead.
      cwlMaxEventBytes: 1_048_550,
    });
    expect([manifest.name, manifest.dependencies, Object.keys(manifest.exports as object)]).toStrictEqual([
      "@loglake/audit",
      { valibot: "^1.5.0" },
      [".", "./kinesis", "./cloudwatch-logs", "./worm", "./stdout", "./lambda", "./powertools"],
    ]);
    expect(
      texts.filter(
        (t) =>
          t.includes("duckdb") || /from "\.[^"]*\.ts"/.test(t) || t.includes('from "@loglake/') || t.includes("@app/"),
      ),
    ).toStrictEqual([]);
  });
});
