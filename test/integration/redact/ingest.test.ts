import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { resolveConfig } from "@app/core/config/index";
import { ingestRedaction } from "@app/core/ingest/redaction";
import type { IngestManifest } from "@app/core/lake-layout";
import { SOURCES } from "@app/core/sources/index";
import { expandPaths, ingestFiles } from "@app/lake/ingest";
import { openLake } from "@app/lake/query";
import { LocalLakeStore } from "@app/lake/store";
import { describe, expect, it } from "vitest";
import { useDuckDb } from "../../helpers/duckdb.ts";

const KEY = "an-hmac-key-of-at-least-32-characters";
const TRAIL =
  "AWSLogs/111122223333/CloudTrail/us-east-1/2024/05/01/111122223333_CloudTrail_us-east-1_20240501T1000Z_a1.json";

const APP_LINES = [
  '{"timestamp":"2024-05-01T10:00:00Z","type":"auth","user_id":"alice","ip":"203.0.113.9","message":"login by alice@example.com","password":"hunter2"}',
  '{"timestamp":"2024-05-01T10:01:00Z","type":"api","user_id":"bob","headers":{"Authorization":"Bearer abcdefghijklmnopqrstuvwxyz"}}',
  '{"timestamp":"2024-05-01T10:02:00Z","note":"api_key=k-123456789 from carol@example.com"',
];

const TRAIL_RECORDS = {
  Records: [
    {
      eventVersion: "1.11",
      eventTime: "2024-05-01T10:00:00Z",
      eventSource: "secretsmanager.amazonaws.com",
      eventName: "PutSecretValue",
      eventID: "11111111-1111-1111-1111-111111111111",
      sourceIPAddress: "198.51.100.23",
      userIdentity: { type: "IAMUser", accessKeyId: "AKIAIOSFODNN7EXAMPLE", userName: "dev" },
      requestParameters: { secretId: "prod/db", secretString: "s3cr3t-value" },
    },
    {
      eventVersion: "1.11",
      eventTime: "2024-05-01T10:01:00Z",
      eventSource: "ssm.amazonaws.com",
      eventName: "PutParameter",
      eventID: "22222222-2222-2222-2222-222222222222",
      sourceIPAddress: "ssm.amazonaws.com",
      userIdentity: { type: "IAMUser", accessKeyId: "AKIAIOSFODNN7EXAMPLE", userName: "dev" },
      requestParameters: { name: "/app/db", type: "SecureString", value: "plain-secret", overwrite: true },
    },
  ],
};

describe("redaction at ingest", () => {
  const db = useDuckDb();

  it("redacts rows and quarantine text, and counts what it did in each manifest and in the totals", async () => {
    // Prepare
    const dir = await mkdtemp(join(tmpdir(), "redact-ingest-"));
    const input = join(dir, "in");
    await mkdir(join(input, "app"), { recursive: true });
    await mkdir(join(input, TRAIL, ".."), { recursive: true });
    await writeFile(join(input, "app", "web.jsonl"), `${APP_LINES.join("\n")}\n`);
    await writeFile(join(input, TRAIL), JSON.stringify(TRAIL_RECORDS));
    const settings = resolveConfig({
      env: "dev",
      redaction: {
        hmacKey: { value: KEY },
        rules: [
          { sources: ["app_json"], path: "user_id", detect: "value", action: "hash" },
          { detect: "email", action: "mask" },
          { detect: "ip_address", action: "truncate" },
        ],
      },
    }).redaction;
    const store = new LocalLakeStore(join(dir, "lake"));
    const walk = await expandPaths([input]);
    const manifests: IngestManifest[] = [];
    // Act
    const totals = await ingestFiles({
      db: db(),
      store,
      sources: SOURCES,
      files: walk.files,
      keys: walk.keys,
      lanes: 1,
      redaction: ingestRedaction(settings, KEY),
      onFile: (_f, m) => manifests.push(m),
    });
    const lake = await openLake(store, db());
    const read = async (sql: string) => (await lake.runAndReadAll(sql)).getRowObjectsJson();
    const app = await read("SELECT user_id, ip_address, message, attributes FROM app_events ORDER BY event_time");
    const trail = await read(
      "SELECT source_ip_address, user_identity_access_key_id, user_identity, request_parameters FROM cloudtrail ORDER BY event_time",
    );
    const quarantine = await read("SELECT reason, message, raw FROM quarantine");
    // Assess
    const hash = (await import("node:crypto")).createHmac;
    const h = (v: string) => hash("sha256", KEY).update(v).digest("hex");
    expect(app).toStrictEqual([
      {
        user_id: h("alice"),
        ip_address: "203.0.113.0",
        message: "login by [REDACTED:email]",
        attributes: '{"password":"[REDACTED:secret_field]"}',
      },
      {
        user_id: h("bob"),
        ip_address: null,
        message: null,
        attributes: '{"headers":{"Authorization":"[REDACTED:secret_field]"}}',
      },
    ]);
    expect(trail).toStrictEqual([
      {
        source_ip_address: "198.51.100.0",
        user_identity_access_key_id: "AKIAIOSFODNN7EXAMPLE",
        user_identity: '{"type":"IAMUser","accessKeyId":"AKIAIOSFODNN7EXAMPLE","userName":"dev"}',
        request_parameters: '{"secretId":"prod/db","secretString":"[REDACTED:secret_field]"}',
      },
      {
        source_ip_address: "ssm.amazonaws.com",
        user_identity_access_key_id: "AKIAIOSFODNN7EXAMPLE",
        user_identity: '{"type":"IAMUser","accessKeyId":"AKIAIOSFODNN7EXAMPLE","userName":"dev"}',
        request_parameters:
          '{"name":"/app/db","type":"SecureString","value":"[REDACTED:secret_parameter]","overwrite":true}',
      },
    ]);
    expect(quarantine).toStrictEqual([
      {
        reason: "truncated",
        message: "line ends inside a JSON value",
        raw: '{"timestamp":"2024-05-01T10:02:00Z","note":"api_key=[REDACTED:secret_field] from [REDACTED:email]"\n',
      },
    ]);
    const byObject = Object.fromEntries(manifests.map((m) => [m.summary.source, m.summary.redacted]));
    expect(byObject).toStrictEqual({
      app_json: {
        value: { hash: 2 },
        ip_address: { truncate: 1 },
        email: { mask: 2 },
        secret_field: { mask: 3 },
      },
      cloudtrail: {
        ip_address: { truncate: 1 },
        secret_field: { mask: 1 },
        secret_parameter: { mask: 1 },
      },
    });
    expect(totals.redacted).toStrictEqual({
      value: { hash: 2 },
      ip_address: { truncate: 2 },
      email: { mask: 2 },
      secret_field: { mask: 4 },
      secret_parameter: { mask: 1 },
    });
  });
});
