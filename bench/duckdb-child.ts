// The reference: DuckDB's own readers converting the same files to ZSTD Parquet on one thread, in its own process.
// Usage: node --import tsx bench/duckdb-child.ts <cloudfront|cloudtrail> <out.parquet> <file>...
// Prints one JSON line: rows written, wall and CPU seconds, peak RSS.
import { rm } from "node:fs/promises";
import { quoteLiteral } from "@app/core/schema/sql";
import { TYPE_MAP } from "@app/core/schema/types";
import { fieldColumnName, STANDARD_W3C_FIELDS } from "@app/core/sources/cloudfront/fields";
import { cloudfrontTable } from "@app/core/sources/cloudfront/schema";
import { DuckDBInstance } from "@duckdb/node-api";

const [kind, out, ...files] = process.argv.slice(2);
if ((kind !== "cloudfront" && kind !== "cloudtrail") || !out || files.length === 0) {
  process.stderr.write("usage: duckdb-child.ts <cloudfront|cloudtrail> <out.parquet> <file>...\n");
  process.exit(2);
}

const fileList = `[${files.map(quoteLiteral).join(", ")}]`;

/**
 * CloudFront: typed columns (from the table schema), `-` as NULL, date + time as a TIMESTAMP and the URL-encoded
 * fields decoded, which is the work loglake's parser does too.
 */
function cloudfrontSql(): string {
  const typeOf = (name: string) => {
    const col = (cloudfrontTable.columns as Record<string, { type: keyof typeof TYPE_MAP }>)[name];
    if (!col) throw new Error(`cloudfront table has no column ${name}`);
    return TYPE_MAP[col.type].duckdb;
  };
  const names = STANDARD_W3C_FIELDS.map((f) => (f === "date" || f === "time" ? f : fieldColumnName(f)));
  const columns = names
    .map((n) => `${quoteLiteral(n)}: ${quoteLiteral(n === "date" ? "DATE" : n === "time" ? "TIME" : typeOf(n))}`)
    .join(", ");
  const decoded = new Set(["cs_uri_stem", "cs_referer", "cs_user_agent", "cs_uri_query"]);
  const select = names
    .filter((n) => n !== "date" && n !== "time")
    .map((n) => (decoded.has(n) ? `url_decode(${n}) AS ${n}` : n))
    .join(", ");
  const read = `read_csv(${fileList}, delim = '\\t', skip = 2, header = false, quote = '', escape = '', nullstr = '-', columns = {${columns}})`;
  return `COPY (SELECT date + time AS event_time, ${select} FROM ${read}) TO ${quoteLiteral(out as string)} (FORMAT parquet, COMPRESSION zstd)`;
}

/**
 * CloudTrail: `{"Records":[…]}` files read whole by `read_json`, Records unnested, the common userIdentity fields
 * flattened and the free-form payloads kept as JSON text, as loglake's `cloudtrail` table does.
 */
function cloudtrailSql(): string {
  const record = [
    "eventVersion VARCHAR",
    "userIdentity JSON",
    "eventTime VARCHAR",
    "eventSource VARCHAR",
    "eventName VARCHAR",
    "awsRegion VARCHAR",
    "sourceIPAddress VARCHAR",
    "userAgent VARCHAR",
    "errorCode VARCHAR",
    "errorMessage VARCHAR",
    "requestParameters JSON",
    "responseElements JSON",
    "additionalEventData JSON",
    "requestID VARCHAR",
    "eventID VARCHAR",
    "readOnly BOOLEAN",
    "resources JSON",
    "eventType VARCHAR",
    "apiVersion VARCHAR",
    "managementEvent BOOLEAN",
    "recipientAccountId VARCHAR",
    "sharedEventID VARCHAR",
    "vpcEndpointId VARCHAR",
    "eventCategory VARCHAR",
    "sessionCredentialFromConsole VARCHAR",
    "serviceEventDetails JSON",
    "tlsDetails JSON",
    "addendum JSON",
    "insightDetails JSON",
  ].join(", ");
  const u = (path: string) => `json_extract_string(r.userIdentity, '${path}')`;
  const select = [
    "CAST(r.eventTime AS TIMESTAMP) AS event_time",
    "r.eventVersion AS event_version",
    "r.eventID AS event_id",
    "r.eventSource AS event_source",
    "r.eventName AS event_name",
    "r.eventType AS event_type",
    "r.eventCategory AS event_category",
    "r.awsRegion AS aws_region",
    "r.sourceIPAddress AS source_ip_address",
    "r.userAgent AS user_agent",
    "r.errorCode AS error_code",
    "r.errorMessage AS error_message",
    "r.requestID AS request_id",
    "r.apiVersion AS api_version",
    "r.readOnly AS read_only",
    "r.managementEvent AS management_event",
    "r.recipientAccountId AS recipient_account_id",
    "r.sharedEventID AS shared_event_id",
    "r.vpcEndpointId AS vpc_endpoint_id",
    "TRY_CAST(r.sessionCredentialFromConsole AS BOOLEAN) AS session_credential_from_console",
    `${u("$.type")} AS user_identity_type`,
    `${u("$.arn")} AS user_identity_arn`,
    `${u("$.accountId")} AS user_identity_account_id`,
    `${u("$.userName")} AS user_identity_user_name`,
    `${u("$.principalId")} AS user_identity_principal_id`,
    `${u("$.accessKeyId")} AS user_identity_access_key_id`,
    `${u("$.invokedBy")} AS user_identity_invoked_by`,
    `TRY_CAST(${u("$.sessionContext.attributes.mfaAuthenticated")} AS BOOLEAN) AS user_identity_mfa_authenticated`,
    `${u("$.sessionContext.sessionIssuer.arn")} AS user_identity_session_issuer_arn`,
    `${u("$.sessionContext.sessionIssuer.userName")} AS user_identity_session_issuer_user_name`,
    "CAST(r.userIdentity AS VARCHAR) AS user_identity",
    "CAST(r.requestParameters AS VARCHAR) AS request_parameters",
    "CAST(r.responseElements AS VARCHAR) AS response_elements",
    "CAST(r.additionalEventData AS VARCHAR) AS additional_event_data",
    "CAST(r.resources AS VARCHAR) AS resources",
    "CAST(r.serviceEventDetails AS VARCHAR) AS service_event_details",
    "CAST(r.tlsDetails AS VARCHAR) AS tls_details",
    "CAST(r.addendum AS VARCHAR) AS addendum",
    "CAST(r.insightDetails AS VARCHAR) AS insight_details",
  ].join(", ");
  // A CloudTrail file is one JSON object, so the reader needs the whole (uncompressed) file as one object.
  const read = `read_json(${fileList}, format = 'auto', maximum_object_size = 268435456, columns = {Records: 'STRUCT(${record})[]'})`;
  return `COPY (SELECT ${select} FROM (SELECT unnest(Records) AS r FROM ${read})) TO ${quoteLiteral(out as string)} (FORMAT parquet, COMPRESSION zstd)`;
}

await rm(out, { force: true });
const instance = await DuckDBInstance.create(":memory:", {
  threads: "1",
  autoinstall_known_extensions: "false",
  autoload_known_extensions: "false",
});
const db = await instance.connect();
const sql = kind === "cloudfront" ? cloudfrontSql() : cloudtrailSql();
const cpu0 = process.cpuUsage();
const t0 = performance.now();
await db.run(sql);
const wall = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
const rows = Number(
  (await db.runAndReadAll(`SELECT count(*) AS n FROM read_parquet(${quoteLiteral(out)})`)).getRows()[0]?.[0] ?? 0,
);
db.closeSync();
process.stdout.write(
  `${JSON.stringify({ rows, wall_s: wall, cpu_s: (cpu.user + cpu.system) / 1e6, max_rss_mb: process.resourceUsage().maxRSS / 1024, sql })}\n`,
);
