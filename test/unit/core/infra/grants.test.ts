import { parseKeyTemplate } from "@app/core/copy/key-template";
import {
  alertScope,
  compactorStatements,
  customerRoleDocuments,
  customerStatements,
  exportReportStatements,
  findingsScope,
  forwardStatements,
  ingestKinesisStatements,
  ingestSqsStatements,
  lakeScope,
  securityHubScope,
  templatePrefixes,
} from "@app/core/infra/grants";
import type { Statement } from "@app/core/infra/policy";
import { describe, expect, it } from "vitest";

const KEY = "arn:aws:kms:eu-west-1:111122223333:key/0b1c2d3e-aaaa-bbbb-cccc-111122223333";
const LAKE = "arn:aws:s3:::loglake-prod-lake";
const WORM = "arn:aws:s3:::loglake-prod-worm";
const QUEUE = "arn:aws:sqs:eu-west-1:111122223333:loglake-prod-ingest";
const STREAM = "arn:aws:kinesis:eu-west-1:111122223333:stream/loglake-prod-stream";
const FAILURES = "arn:aws:sqs:eu-west-1:111122223333:loglake-prod-stream-failures";
const TOPIC = "arn:aws:sns:eu-west-1:111122223333:loglake-prod-alerts";
const DATA_BUCKETS = [LAKE, WORM, "arn:aws:s3:::trail-logs"];

function parts(template: string) {
  const r = parseKeyTemplate(template);
  if (!("parts" in r)) throw new Error(r.problems.join("; "));
  return r.parts;
}

const lake = { ...lakeScope(LAKE, "", ["cloudtrail", "quarantine"]), manifestPrefix: "_ingest/" };
const worm = {
  bucketArn: WORM,
  prefixes: templatePrefixes(parts("<env>/<source>/<key>"), { env: "prod", sources: ["cloudtrail"] }),
};

function byId(statements: Statement[], sid: string): Statement {
  const s = statements.find((x) => x.Sid === sid);
  if (!s) throw new Error(`no ${sid}`);
  return s;
}

/** Least privilege on data: no Allow uses a wildcard action, and bucket-level grants never use `*` resources. */
function expectNoWildcards(statements: Statement[]): void {
  for (const s of statements.filter((x) => x.Effect === "Allow")) {
    expect(
      s.Action.filter((a) => a.includes("*")),
      s.Sid,
    ).toStrictEqual([]);
    expect(
      s.Resource?.filter((r) => r === "*"),
      s.Sid,
    ).toStrictEqual([]);
    const onData = (s.Resource ?? []).filter((r) => DATA_BUCKETS.some((b) => r === b || r.startsWith(`${b}/`)));
    expect(
      onData.filter((r) => r.endsWith(":::*")),
      s.Sid,
    ).toStrictEqual([]);
  }
}

describe("templatePrefixes", () => {
  it("expands env and source and stops at the first run-time placeholder", () => {
    expect(
      templatePrefixes(parts("<env>/<source>/<key>"), { env: "prod", sources: ["cloudfront", "cloudtrail"] }),
    ).toStrictEqual(["prod/cloudfront/", "prod/cloudtrail/"]);
  });

  it("gives the whole bucket when the template starts with the original key", () => {
    expect(templatePrefixes(parts("<key>"), { env: "prod", sources: ["cloudtrail"] })).toStrictEqual([""]);
  });

  it("keeps literal text and stops at a date placeholder", () => {
    expect(templatePrefixes(parts("archive/<yyyy>/<source>/<key>"), { env: "x", sources: ["a"] })).toStrictEqual([
      "archive/",
    ]);
  });
});

describe("ingestSqsStatements", () => {
  const statements = ingestSqsStatements({
    kmsKeyArn: KEY,
    lake,
    worm,
    queueArn: QUEUE,
    sources: [{ bucketArn: "arn:aws:s3:::trail-logs", prefixes: ["AWSLogs/"] }],
    customers: [],
  });

  it("consumes only the ingest queue", () => {
    expect(byId(statements, "ConsumeIngestQueue")).toStrictEqual({
      Sid: "ConsumeIngestQueue",
      Effect: "Allow",
      Action: [
        "sqs:ChangeMessageVisibility",
        "sqs:DeleteMessage",
        "sqs:GetQueueAttributes",
        "sqs:GetQueueUrl",
        "sqs:ReceiveMessage",
      ],
      Resource: [QUEUE],
    });
  });

  it("reads only the source prefixes", () => {
    expect(byId(statements, "ReadSourceObjects").Resource).toStrictEqual(["arn:aws:s3:::trail-logs/AWSLogs/*"]);
  });

  it("writes the lake only under its table folders and manifests, and never deletes", () => {
    expect(byId(statements, "WriteLake")).toStrictEqual({
      Sid: "WriteLake",
      Effect: "Allow",
      Action: ["s3:AbortMultipartUpload", "s3:PutObject"],
      Resource: [
        `${LAKE}/cloudtrail/*`,
        `${LAKE}/quarantine/*`,
        `${LAKE}/_ingest/*`,
        `${LAKE}/_chain/*`,
        `${LAKE}/_compact/*`,
      ],
    });
    expect(byId(statements, "ListLake")).toStrictEqual({
      Sid: "ListLake",
      Effect: "Allow",
      Action: ["s3:ListBucket"],
      Resource: [LAKE],
    });
    expect(statements.flatMap((s) => s.Action).filter((a) => a.startsWith("s3:Delete"))).toStrictEqual([]);
  });

  it("writes WORM copies with their retention only under the env and source prefixes", () => {
    expect(byId(statements, "WriteWorm")).toStrictEqual({
      Sid: "WriteWorm",
      Effect: "Allow",
      Action: ["s3:AbortMultipartUpload", "s3:PutObject", "s3:PutObjectRetention", "s3:PutObjectTagging"],
      Resource: [`${WORM}/prod/cloudtrail/*`],
    });
  });

  it("never bypasses governance retention", () => {
    expect(statements.flatMap((s) => s.Action).filter((a) => a.includes("Bypass"))).toStrictEqual([]);
  });

  it("uses only the project key, for Decrypt and GenerateDataKey", () => {
    expect(byId(statements, "UseProjectKey")).toStrictEqual({
      Sid: "UseProjectKey",
      Effect: "Allow",
      Action: ["kms:Decrypt", "kms:GenerateDataKey"],
      Resource: [KEY],
    });
  });

  it("has no wildcard actions and no wildcard resources", () => {
    expectNoWildcards(statements);
  });
});

describe("ingestSqsStatements with alerts", () => {
  const statements = ingestSqsStatements({
    kmsKeyArn: KEY,
    lake,
    worm,
    queueArn: QUEUE,
    sources: [{ bucketArn: "arn:aws:s3:::trail-logs", prefixes: ["AWSLogs/"] }],
    customers: [],
    alerts: { topicArn: TOPIC, ...alertScope("lake/", ["detection_allowlist", "cloudtrail"]) },
  });

  it("reads back the tables the alert detections read, claims under _alerts/ and publishes to the alerts topic", () => {
    expect(statements.filter((s) => ["ReadAlertTables", "ClaimAlerts", "PublishAlerts"].includes(s.Sid))).toStrictEqual(
      [
        {
          Sid: "ReadAlertTables",
          Effect: "Allow",
          Action: ["s3:GetObject"],
          Resource: [`${LAKE}/lake/cloudtrail/*`, `${LAKE}/lake/detection_allowlist/*`],
        },
        {
          Sid: "ClaimAlerts",
          Effect: "Allow",
          Action: ["s3:DeleteObject", "s3:PutObject"],
          Resource: [`${LAKE}/lake/_alerts/*`],
        },
        { Sid: "PublishAlerts", Effect: "Allow", Action: ["sns:Publish"], Resource: [TOPIC] },
      ],
    );
    expect(
      statements.flatMap((s) => s.Action.filter((a) => a.startsWith("s3:Delete")).map(() => s.Resource)),
    ).toStrictEqual([[`${LAKE}/lake/_alerts/*`]]);
  });

  it("has no wildcard actions and no wildcard resources", () => {
    expectNoWildcards(statements);
  });
});

describe("ingestKinesisStatements", () => {
  const statements = ingestKinesisStatements({
    kmsKeyArn: KEY,
    lake,
    worm,
    streamArn: STREAM,
    failureQueueArn: FAILURES,
    customers: [],
  });

  it("reads only its stream and sends failed batches only to its failure queue", () => {
    expect(byId(statements, "ReadStream").Resource).toStrictEqual([STREAM]);
    expect(byId(statements, "SendFailedBatches")).toStrictEqual({
      Sid: "SendFailedBatches",
      Effect: "Allow",
      Action: ["sqs:SendMessage"],
      Resource: [FAILURES],
    });
  });

  it("has no queue consumer rights and no source bucket reads", () => {
    expect(statements.map((s) => s.Sid)).toStrictEqual([
      "ReadStream",
      "SendFailedBatches",
      "WriteLake",
      "ListLake",
      "ReadLakeManifests",
      "WriteWorm",
      "UseProjectKey",
    ]);
  });

  it("has no wildcard actions and no wildcard resources", () => {
    expectNoWildcards(statements);
  });
});

describe("customerStatements", () => {
  it("only assumes the customer's role when one is given", () => {
    expect(
      customerStatements({
        name: "acme-corp",
        bucketArn: "arn:aws:s3:::acme-logs",
        prefixes: ["prod/"],
        roleArn: "arn:aws:iam::444455556666:role/loglake-writer",
        kmsKeyArn: "arn:aws:kms:eu-west-1:444455556666:key/abc",
      }),
    ).toStrictEqual([
      {
        Sid: "AssumeCustomerRoleAcmeCorp",
        Effect: "Allow",
        Action: ["sts:AssumeRole"],
        Resource: ["arn:aws:iam::444455556666:role/loglake-writer"],
      },
    ]);
  });

  it("writes the customer prefixes and uses the customer key directly without a role", () => {
    expect(
      customerStatements({
        name: "acme",
        bucketArn: "arn:aws:s3:::acme-logs",
        prefixes: ["prod/cloudtrail/"],
        kmsKeyArn: "arn:aws:kms:eu-west-1:444455556666:key/abc",
      }),
    ).toStrictEqual([
      {
        Sid: "WriteCustomerAcme",
        Effect: "Allow",
        Action: ["s3:AbortMultipartUpload", "s3:PutObject", "s3:PutObjectTagging"],
        Resource: ["arn:aws:s3:::acme-logs/prod/cloudtrail/*"],
      },
      {
        Sid: "UseCustomerKeyAcme",
        Effect: "Allow",
        Action: ["kms:Decrypt", "kms:GenerateDataKey"],
        Resource: ["arn:aws:kms:eu-west-1:444455556666:key/abc"],
      },
    ]);
  });
});

describe("customerRoleDocuments", () => {
  it("trusts only our writer roles, and only with the agreed ExternalId", () => {
    const docs = customerRoleDocuments(
      {
        name: "acme",
        bucketArn: "arn:aws:s3:::acme-logs",
        prefixes: ["prod/"],
        roleArn: "arn:aws:iam::444455556666:role/w",
        externalId: "loglake-acme",
      },
      ["arn:aws:iam::111122223333:role/IngestSqsRole"],
      [{ bucketArn: "arn:aws:s3:::trail-logs", prefixes: [""] }],
    );
    expect(docs.trustPolicy).toStrictEqual([
      {
        Sid: "AllowLoglakeWriters",
        Effect: "Allow",
        Principal: { AWS: ["arn:aws:iam::111122223333:role/IngestSqsRole"] },
        Action: ["sts:AssumeRole"],
        Condition: { StringEquals: { "sts:ExternalId": "loglake-acme" } },
      },
    ]);
    expect(docs.permissionPolicy.map((s) => [s.Sid, s.Resource])).toStrictEqual([
      ["ReadLoglakeSources", ["arn:aws:s3:::trail-logs/*"]],
      ["WriteCustomerAcme", ["arn:aws:s3:::acme-logs/prod/*"]],
    ]);
  });
});

describe("customerRoleDocuments with trail-encrypted sources", () => {
  it("lets the role decrypt our source objects with the key they are encrypted with, and nothing more", () => {
    const docs = customerRoleDocuments(
      {
        name: "acme",
        bucketArn: "arn:aws:s3:::acme-logs",
        prefixes: ["prod/"],
        roleArn: "arn:aws:iam::444455556666:role/w",
        externalId: "loglake-acme",
      },
      ["arn:aws:iam::111122223333:role/IngestSqsRole"],
      [{ bucketArn: "arn:aws:s3:::trail-logs", prefixes: ["AWSLogs/"] }],
      KEY,
    );
    expect(docs.permissionPolicy.map((s) => [s.Sid, s.Action, s.Resource])).toStrictEqual([
      [
        "ReadLoglakeSources",
        ["s3:GetObject", "s3:GetObjectTagging", "s3:GetObjectVersion", "s3:GetObjectVersionTagging"],
        ["arn:aws:s3:::trail-logs/AWSLogs/*"],
      ],
      ["DecryptLoglakeSources", ["kms:Decrypt"], [KEY]],
      [
        "WriteCustomerAcme",
        ["s3:AbortMultipartUpload", "s3:PutObject", "s3:PutObjectTagging"],
        ["arn:aws:s3:::acme-logs/prod/*"],
      ],
    ]);
  });
});

describe("exportReportStatements", () => {
  const input = {
    kmsKeyArn: KEY,
    workgroupArn: "arn:aws:athena:eu-west-1:111122223333:workgroup/loglake-prod",
    glue: {
      catalogArn: "arn:aws:glue:eu-west-1:111122223333:catalog",
      databaseArn: "arn:aws:glue:eu-west-1:111122223333:database/loglake_prod",
      tablesArn: "arn:aws:glue:eu-west-1:111122223333:table/loglake_prod/*",
    },
    lake: lakeScope(LAKE, "", ["cloudtrail"]),
    resultsBucketArn: "arn:aws:s3:::loglake-prod-athena",
    reports: { bucketArn: "arn:aws:s3:::loglake-prod-reports", prefixes: ["reports/"] },
    findings: findingsScope("", "findings"),
  };
  const statements = exportReportStatements(input);

  it("runs queries only in the project workgroup", () => {
    expect(byId(statements, "RunQueries").Resource).toStrictEqual([
      "arn:aws:athena:eu-west-1:111122223333:workgroup/loglake-prod",
    ]);
  });

  it("reads the lake and writes only its findings: the findings table and the record of each run", () => {
    const lakeGrants = statements
      .filter((s) => (s.Resource ?? []).some((r) => r.startsWith(LAKE)))
      .map((s) => [s.Sid, s.Action, s.Resource]);
    expect(lakeGrants).toStrictEqual([
      ["ListLake", ["s3:GetBucketLocation", "s3:ListBucket"], [LAKE]],
      [
        "ReadLake",
        ["s3:GetObject"],
        [`${LAKE}/cloudtrail/*`, `${LAKE}/_ingest/*`, `${LAKE}/_chain/*`, `${LAKE}/_compact/*`],
      ],
      ["WriteFindings", ["s3:AbortMultipartUpload", "s3:DeleteObject", "s3:PutObject"], [`${LAKE}/findings/*`]],
      [
        "RecordFindingsRuns",
        ["s3:GetObject", "s3:PutObject"],
        [`${LAKE}/_ingest/findings-*`, `${LAKE}/_chain/findings/*`],
      ],
    ]);
  });

  it("imports into Security Hub and marks what it imported only when the export is enabled", () => {
    const hub = exportReportStatements({
      ...input,
      securityHub: securityHubScope({
        region: "eu-west-1",
        accountId: "111122223333",
        lakePrefix: "",
      }),
    });
    expect(hub.filter((s) => !statements.some((t) => t.Sid === s.Sid))).toStrictEqual([
      {
        Sid: "ImportFindings",
        Effect: "Allow",
        Action: ["securityhub:BatchImportFindings"],
        Resource: ["arn:aws:securityhub:eu-west-1:111122223333:product/111122223333/default"],
      },
      {
        Sid: "MarkExportedFindings",
        Effect: "Allow",
        Action: ["s3:PutObject"],
        Resource: [`${LAKE}/_exports/securityhub/*`],
      },
    ]);
    expect(statements.flatMap((s) => s.Action).filter((a) => a.startsWith("securityhub:"))).toStrictEqual([]);
    expectNoWildcards(hub);
  });

  it("writes reports only under reports/", () => {
    expect(byId(statements, "WriteReports").Resource).toStrictEqual(["arn:aws:s3:::loglake-prod-reports/reports/*"]);
  });

  it("has no wildcard actions and no wildcard resources", () => {
    expectNoWildcards(statements);
  });
});

describe("compactorStatements", () => {
  it("is the only grant that may delete lake objects", () => {
    const statements = compactorStatements({ kmsKeyArn: KEY, lake: lakeScope(LAKE, "", ["cloudtrail"]) });
    expect(byId(statements, "RewriteLake").Action).toStrictEqual(["s3:DeleteObject", "s3:GetObject", "s3:PutObject"]);
    expectNoWildcards(statements);
  });
});

describe("forwardStatements", () => {
  const GROUP = "arn:aws:logs:eu-west-1:111122223333:log-group:/loglake/app";
  const input = (logGroups: Parameters<typeof forwardStatements>[0]["logGroups"]) => ({
    lakeBucketArn: LAKE,
    claimPrefix: "_forward/",
    logGroups,
  });

  it("grants nothing when no destination is a log group", () => {
    expect(forwardStatements(input([]))).toStrictEqual([]);
  });

  it("lets the consumers claim calls, write their own group's streams, create the group only when allowed, and assume a role otherwise", () => {
    // Act
    const statements = forwardStatements(
      input([
        { name: "siem", logGroupArn: GROUP, createIfMissing: true, retentionDays: 30 },
        { name: "audit-team", logGroupArn: GROUP, createIfMissing: false },
        {
          name: "other",
          logGroupArn: "arn:aws:logs:us-west-2:444455556666:log-group:/x",
          roleArn: "arn:aws:iam::444455556666:role/logs",
          createIfMissing: true,
        },
      ]),
    );
    // Assess
    expect(statements).toStrictEqual([
      {
        Sid: "ForwardClaims",
        Effect: "Allow",
        Action: ["s3:GetObject", "s3:PutObject"],
        Resource: [`${LAKE}/_forward/*`],
      },
      {
        Sid: "WriteLogGroupSiem",
        Effect: "Allow",
        Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
        Resource: [GROUP, `${GROUP}:log-stream:*`],
      },
      {
        Sid: "CreateLogGroupSiem",
        Effect: "Allow",
        Action: ["logs:CreateLogGroup", "logs:PutRetentionPolicy"],
        Resource: [GROUP],
      },
      {
        Sid: "WriteLogGroupAuditTeam",
        Effect: "Allow",
        Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
        Resource: [GROUP, `${GROUP}:log-stream:*`],
      },
      {
        Sid: "AssumeLogGroupRoleOther",
        Effect: "Allow",
        Action: ["sts:AssumeRole"],
        Resource: ["arn:aws:iam::444455556666:role/logs"],
      },
    ]);
  });
});
