import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  allowlistJsonLines,
  allowlistRows,
  allowlistTable,
  CONFIG_TABLES,
  configTableFile,
} from "@app/core/detections/allowlist";
import { workgroupConfiguration } from "@app/core/infra/athena";
import { glueConfigTableArgs, glueDatabaseName, glueTableArgs } from "@app/core/infra/glue";
import { logicalName, namedQueries } from "@app/core/infra/queries";
import { loadQueries } from "@app/core/queries/catalog";
import { QUERYABLE_TABLE_NAMES, TABLES } from "@app/core/sources/index";
import { accountId, config, deploy, partition, prefix, region, stage } from "./settings";
import { athenaResultsBucket, kmsKey, lakeBucket } from "./storage";

const databaseName = glueDatabaseName($app.name, $app.stage);

/** One Glue database per stage. */
export const database = new aws.glue.CatalogDatabase("Database", {
  name: databaseName,
  description: `loglake ${$app.stage}: one table per log table, generated from the schemas in @app/core`,
});

/** One Glue table per registered lake table, generated from its schema with partition projection. */
export const tables = TABLES.map(
  (table) =>
    new aws.glue.CatalogTable(
      logicalName("Table", table.name),
      glueTableArgs(table, {
        databaseName,
        bucket: config.buckets.lake,
        lakePrefix: config.lakePrefix,
        projectionStart: deploy.athena.projectionStart,
      }),
      { dependsOn: [database] },
    ),
);

/** One Glue table per table built from the config (no partitions, newline-delimited JSON). */
export const configTables = CONFIG_TABLES.map(
  (table) =>
    new aws.glue.CatalogTable(
      logicalName("Table", table.name),
      glueConfigTableArgs(table, { databaseName, bucket: config.buckets.lake, lakePrefix: config.lakePrefix }),
      { dependsOn: [database] },
    ),
);

/** The detections' allow-lists from the config, replaced on every deploy that changes them. */
export const allowlistObject = new aws.s3.BucketObjectv2(logicalName("ConfigTable", allowlistTable.name), {
  bucket: lakeBucket.bucket,
  key: `${config.lakePrefix}${configTableFile(allowlistTable)}`,
  content: allowlistJsonLines(allowlistRows(config.detections)),
  contentType: "application/x-ndjson",
  serverSideEncryption: "aws:kms",
  kmsKeyId: kmsKey.arn,
});

/** The workgroup every saved query and report runs in. */
export const workgroup = new aws.athena.Workgroup("Workgroup", {
  name: prefix,
  description: `loglake ${$app.stage}: enforced settings, KMS-encrypted results, per-query scan cutoff`,
  state: "ENABLED",
  forceDestroy: stage.forceDestroy,
  configuration: $resolve([athenaResultsBucket.bucket, kmsKey.arn]).apply(([resultsBucket, kmsKeyArn]) =>
    workgroupConfiguration({
      resultsBucket,
      kmsKeyArn,
      bytesScannedCutoffPerQuery: deploy.athena.bytesScannedCutoffPerQuery,
    }),
  ),
});

/** The saved queries of `queries/`, parsed and checked by the same code the CLI and the exporter use. */
export const savedQueries = loadQueries(
  readdirSync(join($cli.paths.root, "queries"), { recursive: true, encoding: "utf8" })
    .filter((path) => path.endsWith(".sql"))
    .map((path) => ({
      path: path.split("\\").join("/"),
      text: readFileSync(join($cli.paths.root, "queries", path), "utf8"),
    })),
  QUERYABLE_TABLE_NAMES,
);

/**
 * Holds the compliance report's named queries, apart from the others, so the compliance role can read exactly those
 * (Athena scopes named-query permissions by workgroup). Nobody runs queries in it.
 */
export const complianceWorkgroup = new aws.athena.Workgroup("ComplianceWorkgroup", {
  name: `${prefix}-compliance`,
  description: `loglake ${$app.stage}: the compliance report's named queries, read by the compliance role`,
  state: "ENABLED",
  forceDestroy: stage.forceDestroy,
  configuration: $resolve([athenaResultsBucket.bucket, kmsKey.arn]).apply(([resultsBucket, kmsKeyArn]) =>
    workgroupConfiguration({
      resultsBucket,
      kmsKeyArn,
      bytesScannedCutoffPerQuery: deploy.athena.bytesScannedCutoffPerQuery,
    }),
  ),
});

const named = namedQueries(savedQueries);
savedQueries.forEach((saved, i) => {
  const q = named[i] as (typeof named)[number];
  new aws.athena.NamedQuery(q.logicalName, {
    name: q.name,
    description: q.description,
    query: q.query,
    database: database.name,
    workgroup: saved.report === "compliance" ? complianceWorkgroup.name : workgroup.name,
  });
});

/** ARNs of the Glue catalog, the database and its tables, for the readers' IAM statements. */
export const glueArns = $resolve([partition, region, accountId, database.name]).apply(([p, r, a, db]) => ({
  catalogArn: `arn:${p}:glue:${r}:${a}:catalog`,
  databaseArn: `arn:${p}:glue:${r}:${a}:database/${db}`,
  tablesArn: `arn:${p}:glue:${r}:${a}:table/${db}/*`,
}));

/** Athena's name for the Glue catalog of the account, which the console reads to list databases and tables. */
export const dataCatalogArn = $resolve([partition, region, accountId]).apply(
  ([p, r, a]) => `arn:${p}:athena:${r}:${a}:datacatalog/AwsDataCatalog`,
);
