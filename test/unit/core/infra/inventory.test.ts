import { describePolicy, describeResource, formatInventory, type Inventory } from "@app/core/infra/inventory";
import { logDestinationPolicy } from "@app/core/infra/log-destination";
import { trailEventSelectors } from "@app/core/infra/trail";
import { describe, expect, it } from "vitest";

describe("describePolicy", () => {
  it("prints one line per statement with principal, actions, resources and conditions", () => {
    const policy = JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "DenyInsecureTransport",
          Effect: "Deny",
          Principal: "*",
          Action: "s3:*",
          Resource: ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
          Condition: { Bool: { "aws:SecureTransport": "false" } },
        },
        { Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" },
      ],
    });
    expect(describePolicy(policy)).toStrictEqual([
      "DenyInsecureTransport: Deny * s3:* on arn:aws:s3:::b,arn:aws:s3:::b/* if Bool aws:SecureTransport=false",
      "-: Allow Service:lambda.amazonaws.com sts:AssumeRole",
    ]);
  });
});

describe("formatInventory", () => {
  it("lists resources with their options and settings, then counts them by type", () => {
    const inventory: Inventory = {
      stage: "prod",
      app: { name: "loglake", removal: "retain", protect: true, providers: { aws: { region: "eu-west-1" } } },
      builds: [
        {
          functionID: "IngestSqs",
          handler: "packages/functions/src/ingest-sqs.handler",
          bytes: 2048,
          install: ["@duckdb/node-api"],
          files: ["queries/cloudtrail/root-account-usage.sql"],
        },
      ],
      outputs: {},
      resources: [
        {
          type: "pulumi:pulumi:Stack",
          name: "loglake-prod",
          id: "s",
          custom: false,
          inputs: {},
          protect: false,
          retainOnDelete: false,
        },
        {
          type: "aws:s3/bucketVersioning:BucketVersioning",
          name: "LakeBucketVersioning",
          id: "v",
          custom: true,
          inputs: { bucket: "lake", versioningConfiguration: { status: "Enabled" } },
          protect: false,
          retainOnDelete: false,
        },
        {
          type: "aws:kinesis/stream:Stream",
          name: "Stream",
          id: "st",
          custom: true,
          inputs: { name: "s", encryptionType: "KMS", kmsKeyId: "k" },
          protect: true,
          retainOnDelete: true,
        },
      ],
    };
    expect(formatInventory(inventory).split("\n")).toStrictEqual([
      'loglake inventory, stage "prod": removal=retain protect=true',
      'providers: {"aws":{"region":"eu-west-1"}}',
      "handlers bundled: IngestSqs (packages/functions/src/ingest-sqs.handler, 2 KiB, installs @duckdb/node-api)",
      "",
      "aws:s3/bucketVersioning:BucketVersioning  LakeBucketVersioning",
      "    status=Enabled",
      "aws:kinesis/stream:Stream  Stream  [protect,retain]",
      "    name=s encryptionType=KMS kmsKeyId=k",
      "",
      "2 resources:",
      "    1  aws:kinesis/stream:Stream",
      "    1  aws:s3/bucketVersioning:BucketVersioning",
      "",
    ]);
  });

  it("describes the lifecycle tiers of a bucket", () => {
    expect(
      describeResource({
        type: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
        name: "L",
        id: "l",
        custom: true,
        inputs: {
          rules: [
            {
              id: "worm-tiering",
              transitions: [{ days: 30, storageClass: "STANDARD_IA" }],
              noncurrentVersionExpiration: { noncurrentDays: 2557 },
            },
          ],
        },
        protect: false,
        retainOnDelete: false,
      }),
    ).toStrictEqual(["worm-tiering: STANDARD_IA@30d noncurrent-expire@2557d"]);
  });

  it("describes a trail: where it delivers, its guarantees, its key and topic, and each event selector", () => {
    expect(
      describeResource({
        type: "aws:cloudtrail/trail:Trail",
        name: "Trail",
        id: "t",
        custom: true,
        inputs: {
          name: "loglake-prod-trail",
          s3BucketName: "trail-logs",
          isMultiRegionTrail: true,
          includeGlobalServiceEvents: true,
          enableLogFileValidation: true,
          isOrganizationTrail: false,
          kmsKeyId: "arn:aws:kms:eu-west-1:1:key/k",
          snsTopicName: "loglake-prod-trail-notifications",
          advancedEventSelectors: trailEventSelectors({ partition: "aws", buckets: ["lake"], functionArns: [] }),
        },
        protect: true,
        retainOnDelete: true,
      }),
    ).toStrictEqual([
      "name=loglake-prod-trail s3BucketName=trail-logs isMultiRegionTrail=true includeGlobalServiceEvents=true " +
        "enableLogFileValidation=true isOrganizationTrail=false kmsKeyId=arn:aws:kms:eu-west-1:1:key/k " +
        "snsTopicName=loglake-prod-trail-notifications",
      'selector "Management events": eventCategory = Management',
      'selector "S3 object events": eventCategory = Data and resources.type = AWS::S3::Object and resources.ARN starts with arn:aws:s3:::lake/',
    ]);
  });

  it("describes a log destination's target and role, and who its access policy lets subscribe", () => {
    const destinationArn = "arn:aws:logs:eu-west-1:1:destination:loglake-prod-logs";
    const resource = (type: string, inputs: Record<string, unknown>) => ({
      type,
      name: "D",
      id: "d",
      custom: true,
      inputs,
      protect: false,
      retainOnDelete: false,
    });
    const destination = resource("aws:cloudwatch/logDestination:LogDestination", {
      name: "loglake-prod-logs",
      targetArn: "arn:aws:kinesis:eu-west-1:1:stream/s",
      roleArn: "arn:aws:iam::1:role/r",
    });
    const policy = resource("aws:cloudwatch/logDestinationPolicy:LogDestinationPolicy", {
      destinationName: "loglake-prod-logs",
      accessPolicy: JSON.stringify(logDestinationPolicy({ destinationArn, organizationId: "o-a1b2c3d4e5" })),
    });
    expect([describeResource(destination), describeResource(policy)]).toStrictEqual([
      ["name=loglake-prod-logs targetArn=arn:aws:kinesis:eu-west-1:1:stream/s roleArn=arn:aws:iam::1:role/r"],
      [
        `OrganizationSubscribes: Allow * logs:PutSubscriptionFilter,logs:PutAccountPolicy on ${destinationArn} if StringEquals aws:PrincipalOrgID=o-a1b2c3d4e5`,
      ],
    ]);
  });
});
