import { createHash } from "node:crypto";
import { gunzipSync } from "node:zlib";
import { retainUntil } from "@app/core/copy/plan";
import { kinesisArrivalTime } from "@app/core/envelopes/kinesis";
import { type DemoFile, demoFiles } from "@app/samples/demo/index";
import { PutRecordsCommand } from "@aws-sdk/client-kinesis";
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand } from "@aws-sdk/client-s3";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/nested-clients/sts";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  demoBytes,
  startTestPipeline,
  type TestPipeline,
  testConfig,
  waitForIngestDrained,
} from "../../helpers/emulators.ts";
import { type RecordedRequest, type RecordingProxy, startRecordingProxy } from "../../helpers/http-proxy.ts";

const KMS_KEY = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const ROLE = "arn:aws:iam::111122223333:role/loglake-writer";

describe("raw copies as they reach S3 (headers recorded on the wire)", () => {
  let p: TestPipeline;
  let proxy: RecordingProxy;
  // The emulators have no STS: it is the one mocked client, so the assumed-role path can run. S3 stays real.
  // `fromTemporaryCredentials` builds its own client from the SDK's nested STS client class, so the class is mocked.
  const stsMock = mockClient(STSClient);
  const all = demoFiles({ days: 1 });
  const trail = all.find((f) => f.source === "cloudtrail") as DemoFile;
  const digest = all.find((f) => f.source === "cloudtrail_digest") as DemoFile;
  const app = all.find((f) => f.source === "app_json") as DemoFile;
  const signature = { signature: "3a9f0c1e5b7d", "signature-algorithm": "SHA256withRSA" };
  const config = testConfig({
    worm: { mode: "COMPLIANCE", retentionDays: 30 },
    destinations: [
      {
        name: "acme",
        bucket: "acme-security-logs",
        kmsKeyId: KMS_KEY,
        roleArn: ROLE,
        externalId: "acme-7f3e",
        sources: ["cloudtrail", "cloudtrail_digest"],
      },
      { name: "apps", bucket: "apps-team-logs", keyTemplate: "raw/<yyyy>/<mm>/<dd>/<key>", sources: ["app_json"] },
    ],
  });
  let eventTimes: Map<string, string>;

  const put = (r: RecordedRequest) => r.method === "PUT" && !r.fault;
  const copyTo = (bucket: string, key: string) =>
    proxy.requests.filter(
      (r) =>
        put(r) &&
        decodeURIComponent(r.path.split("?")[0] as string) === `/${bucket}/${key}` &&
        r.headers["x-amz-copy-source"],
    );

  beforeAll(async () => {
    stsMock.on(AssumeRoleCommand).resolves({
      Credentials: {
        AccessKeyId: "ASIAACMEASSUMED",
        SecretAccessKey: "assumed-secret",
        SessionToken: "acme-session-token",
        Expiration: new Date(Date.now() + 3600_000),
      },
    });
    p = await startTestPipeline({
      config,
      assumeRoles: true,
      handlerAws: async (endpoint) => {
        proxy = await startRecordingProxy(endpoint);
        return { endpoint: proxy.url };
      },
    });
    // Act
    const bucket = config.buckets.source;
    await p.s3.send(new PutObjectCommand({ Bucket: bucket, Key: trail.path, Body: demoBytes(trail) }));
    await p.s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: digest.path, Body: demoBytes(digest), Metadata: signature }),
    );
    await p.s3.send(new PutObjectCommand({ Bucket: bucket, Key: app.path, Body: demoBytes(app) }));
    await p.kinesis.send(
      new PutRecordsCommand({
        StreamName: config.stream.name,
        Records: [
          {
            Data: Buffer.from('{"timestamp":"2025-06-08T10:00:00Z","level":"info","message":"hi"}\n'),
            PartitionKey: "k",
          },
        ],
      }),
    );
    await waitForIngestDrained(p, "objects and records processed", {
      until: () =>
        p.env.sqsSource.stats.deleted === 3 &&
        p.env.kinesisSource.stats.records === 1 &&
        proxy.requests.some((r) => put(r) && r.path.includes("/e2e/kinesis/")),
    });
    // The notification's event time is the object's LastModified as ListObjectsV2 reports it.
    const listed = await p.s3.send(new ListObjectsV2Command({ Bucket: bucket }));
    eventTimes = new Map((listed.Contents ?? []).map((o) => [o.Key as string, (o.LastModified as Date).toISOString()]));
  });

  afterAll(async () => {
    await p?.stop();
    await proxy?.close();
    stsMock.restore();
  });

  it("writes WORM copies with Object Lock mode, retain-until = event time + retention, checksum, metadata kept", () => {
    for (const f of [trail, digest, app]) {
      // Prepare
      const [req] = copyTo(config.buckets.worm, `e2e/${f.source}/${f.path}`);
      const h = req?.headers ?? {};
      // Assess
      expect({
        mode: h["x-amz-object-lock-mode"],
        retainUntil: new Date(String(h["x-amz-object-lock-retain-until-date"])).toISOString(),
        checksum: h["x-amz-checksum-algorithm"],
        directive: h["x-amz-metadata-directive"],
      }).toStrictEqual({
        mode: "COMPLIANCE",
        retainUntil: retainUntil(eventTimes.get(f.path) as string, 30),
        checksum: "SHA256",
        directive: "COPY",
      });
    }
  });

  it("archives Kinesis batches to WORM with Object Lock and the SHA-256 checksum of the exact body", async () => {
    // Prepare
    const [req] = proxy.requests.filter((r) => put(r) && r.path.startsWith(`/${config.buckets.worm}/e2e/kinesis/`));
    const key = decodeURIComponent((req?.path ?? "").split("?")[0] as string).slice(config.buckets.worm.length + 2);
    const h = req?.headers ?? {};
    // Act
    const stored = await p.s3.send(new GetObjectCommand({ Bucket: config.buckets.worm, Key: key }));
    const body = await (stored.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray();
    const line = JSON.parse(gunzipSync(body).toString("utf8")) as { approximateArrivalTimestamp: number };
    // Assess
    expect({
      mode: h["x-amz-object-lock-mode"],
      retainUntil: h["x-amz-object-lock-retain-until-date"],
      checksum: h["x-amz-checksum-sha256"],
    }).toStrictEqual({
      mode: "COMPLIANCE",
      retainUntil: retainUntil(kinesisArrivalTime(line.approximateArrivalTimestamp), 30),
      checksum: createHash("sha256").update(body).digest("base64"),
    });
  });

  it("writes customer copies with SSE-KMS under the assumed role's credentials, assuming it once", () => {
    for (const f of [trail, digest]) {
      // Prepare
      const [req] = copyTo("acme-security-logs", `e2e/${f.source}/${f.path}`);
      const h = req?.headers ?? {};
      // Assess
      expect({
        sse: h["x-amz-server-side-encryption"],
        key: h["x-amz-server-side-encryption-aws-kms-key-id"],
        accessKey: /Credential=([^/]+)\//.exec(String(h.authorization))?.[1],
        token: h["x-amz-security-token"],
        checksum: h["x-amz-checksum-algorithm"],
      }).toStrictEqual({
        sse: "aws:kms",
        key: KMS_KEY,
        accessKey: "ASIAACMEASSUMED",
        token: "acme-session-token",
        checksum: "SHA256",
      });
    }
    expect(stsMock.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input)).toStrictEqual([
      { RoleArn: ROLE, ExternalId: "acme-7f3e", RoleSessionName: "loglake-e2e-acme", DurationSeconds: 3600 },
    ]);
  });

  it("writes a destination without role or key with the function's credentials and its own key template", () => {
    // Prepare
    const t = eventTimes.get(app.path) as string;
    const key = `raw/${t.slice(0, 4)}/${t.slice(5, 7)}/${t.slice(8, 10)}/${app.path}`;
    const [req] = copyTo("apps-team-logs", key);
    const h = req?.headers ?? {};
    // Assess
    expect({
      sse: h["x-amz-server-side-encryption"],
      accessKey: /Credential=([^/]+)\//.exec(String(h.authorization))?.[1],
      token: h["x-amz-security-token"],
    }).toStrictEqual({ sse: undefined, accessKey: "test", token: undefined });
  });

  it("keeps the digest signature metadata on every copy", async () => {
    // Act
    const heads = await Promise.all(
      [config.buckets.worm, "acme-security-logs"].map((b) =>
        p.s3.send(new HeadObjectCommand({ Bucket: b, Key: `e2e/cloudtrail_digest/${digest.path}` })),
      ),
    );
    // Assess
    expect(heads.map((h) => h.Metadata)).toStrictEqual([signature, signature]);
  });

  it("sends a checksum with every write to the lake", () => {
    // Prepare
    const writes = proxy.requests.filter((r) => put(r) && r.path.startsWith(`/${config.buckets.lake}/`));
    // Assess
    expect(writes.length).toBeGreaterThan(0);
    expect(
      writes.filter(
        (r) => !(r.headers["x-amz-checksum-sha256"] || r.headers["x-amz-trailer"] === "x-amz-checksum-sha256"),
      ),
    ).toStrictEqual([]);
  });
});
