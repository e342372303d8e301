import { column } from "../../schema/column.ts";
import { defineTable, type ParsedRowOf, type RowOf } from "../../schema/table.ts";
import { readArrayLength, readNonEmptyString } from "../values.ts";

/** CloudTrail events (management, data and Insights events). */
export const cloudtrailTable = defineTable({
  name: "cloudtrail",
  description: "CloudTrail events, one row per record; Insights events have event_type AwsCloudTrailInsight",
  referenceUrl:
    "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html",
  timeColumn: "event_time",
  columns: {
    event_time: column.timestamp("eventTime: when the request completed, UTC", {
      nullable: false,
      from: ["eventTime", "@timestamp"],
    }),
    event_version: column.string("eventVersion, major.minor", { from: "eventVersion" }),
    event_id: column.string("eventID: GUID, unique per event", { from: "eventID" }),
    event_source: column.string("eventSource: service endpoint, e.g. s3.amazonaws.com", { from: "eventSource" }),
    event_name: column.string("eventName: the API action", { from: "eventName" }),
    event_type: column.string(
      "eventType: AwsApiCall, AwsServiceEvent, AwsConsoleAction, AwsConsoleSignIn, AwsCloudTrailInsight",
      { from: "eventType" },
    ),
    event_category: column.string("eventCategory: Management, Data, Insight, NetworkActivity", {
      from: "eventCategory",
    }),
    aws_region: column.string("awsRegion the request was made to", { from: "awsRegion" }),
    source_ip_address: column.string("sourceIPAddress: caller IP, or a service DNS name for AWS-service callers", {
      from: "sourceIPAddress",
    }),
    user_agent: column.string("userAgent of the caller", { from: "userAgent" }),
    error_code: column.string("errorCode when the request failed, e.g. AccessDenied", {
      from: "errorCode",
      read: readNonEmptyString,
    }),
    error_message: column.string("errorMessage when the request failed", { from: "errorMessage" }),
    request_id: column.string("requestID of the service request", { from: "requestID" }),
    api_version: column.string("apiVersion of the API called", { from: "apiVersion" }),
    read_only: column.boolean("readOnly: whether the call only reads", { from: "readOnly" }),
    management_event: column.boolean("managementEvent flag", { from: "managementEvent" }),
    recipient_account_id: column.string("recipientAccountId: the account that received the event", {
      from: "recipientAccountId",
    }),
    shared_event_id: column.string("sharedEventID: GUID shared by the copies of a cross-account event", {
      from: "sharedEventID",
    }),
    vpc_endpoint_id: column.string("vpcEndpointId the request came through", { from: "vpcEndpointId" }),
    session_credential_from_console: column.boolean("sessionCredentialFromConsole flag", {
      from: "sessionCredentialFromConsole",
    }),
    user_identity_type: column.string("userIdentity.type: Root, IAMUser, AssumedRole, FederatedUser, AWSService, …", {
      from: "userIdentity.type",
    }),
    user_identity_arn: column.string("userIdentity.arn", { from: "userIdentity.arn" }),
    user_identity_account_id: column.string("userIdentity.accountId", { from: "userIdentity.accountId" }),
    user_identity_user_name: column.string(
      "userIdentity.userName (HIDDEN_DUE_TO_SECURITY_REASONS for some failed sign-ins)",
      { from: "userIdentity.userName" },
    ),
    user_identity_principal_id: column.string("userIdentity.principalId", { from: "userIdentity.principalId" }),
    user_identity_access_key_id: column.string("userIdentity.accessKeyId", { from: "userIdentity.accessKeyId" }),
    user_identity_invoked_by: column.string("userIdentity.invokedBy: the AWS service that made the call", {
      from: "userIdentity.invokedBy",
    }),
    user_identity_mfa_authenticated: column.boolean("userIdentity.sessionContext.attributes.mfaAuthenticated", {
      from: "userIdentity.sessionContext.attributes.mfaAuthenticated",
    }),
    user_identity_session_issuer_arn: column.string("userIdentity.sessionContext.sessionIssuer.arn", {
      from: "userIdentity.sessionContext.sessionIssuer.arn",
    }),
    user_identity_session_issuer_user_name: column.string("userIdentity.sessionContext.sessionIssuer.userName", {
      from: "userIdentity.sessionContext.sessionIssuer.userName",
    }),
    user_identity: column.json("The whole userIdentity object as JSON", { from: "userIdentity" }),
    request_parameters: column.json("requestParameters as JSON", { from: "requestParameters" }),
    response_elements: column.json("responseElements as JSON", { from: "responseElements" }),
    additional_event_data: column.json("additionalEventData as JSON (CloudTrail truncates it beyond 28 KB)", {
      from: "additionalEventData",
    }),
    resources: column.json("resources as a JSON array of {ARN, accountId, type}", { from: "resources" }),
    service_event_details: column.json("serviceEventDetails as JSON", { from: "serviceEventDetails" }),
    tls_details: column.json("tlsDetails as JSON {tlsVersion, cipherSuite, clientProvidedHostHeader}", {
      from: "tlsDetails",
    }),
    addendum: column.json("addendum as JSON (late or updated delivery)", { from: "addendum" }),
    insight_details: column.json("insightDetails as JSON (Insights events only)", { from: "insightDetails" }),
    extra: column.json("Top-level fields not modelled as columns, as a JSON object", { rest: true }),
  },
});
export type CloudTrailRow = RowOf<typeof cloudtrailTable>;
export type CloudTrailParsedRow = ParsedRowOf<typeof cloudtrailTable>;

/** CloudTrail digest files, kept for log-file integrity validation. */
export const cloudtrailDigestTable = defineTable({
  name: "cloudtrail_digest",
  description:
    "CloudTrail digest files, one row per digest, kept for log file integrity validation; the log files each lists are in cloudtrail_digest_log_file",
  referenceUrl:
    "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-validation-digest-file-structure.html",
  timeColumn: "event_time",
  columns: {
    event_time: column.timestamp("digestEndTime, UTC", { nullable: false, from: "digestEndTime" }),
    digest_start_time: column.timestamp("digestStartTime, UTC", { from: "digestStartTime" }),
    aws_account_id: column.string("awsAccountId", { from: "awsAccountId" }),
    digest_s3_bucket: column.string("digestS3Bucket", { from: "digestS3Bucket" }),
    digest_s3_object: column.string("digestS3Object", { from: "digestS3Object" }),
    digest_public_key_fingerprint: column.string("digestPublicKeyFingerprint", { from: "digestPublicKeyFingerprint" }),
    digest_signature_algorithm: column.string("digestSignatureAlgorithm, e.g. SHA256withRSA", {
      from: "digestSignatureAlgorithm",
    }),
    newest_event_time: column.timestamp("newestEventTime over the listed log files", { from: "newestEventTime" }),
    oldest_event_time: column.timestamp("oldestEventTime over the listed log files", { from: "oldestEventTime" }),
    previous_digest_s3_bucket: column.string("previousDigestS3Bucket; null in a chain's starting digest", {
      from: "previousDigestS3Bucket",
    }),
    previous_digest_s3_object: column.string("previousDigestS3Object", { from: "previousDigestS3Object" }),
    previous_digest_hash_value: column.string("previousDigestHashValue: hex SHA-256 of the previous digest file", {
      from: "previousDigestHashValue",
    }),
    previous_digest_hash_algorithm: column.string("previousDigestHashAlgorithm, e.g. SHA-256", {
      from: "previousDigestHashAlgorithm",
    }),
    previous_digest_signature: column.string("previousDigestSignature: hex signature of the previous digest file", {
      from: "previousDigestSignature",
    }),
    log_file_count: column.int32("Number of log files listed (one cloudtrail_digest_log_file row each)", {
      from: "logFiles",
      read: readArrayLength,
    }),
  },
});
export type CloudTrailDigestRow = RowOf<typeof cloudtrailDigestTable>;
export type CloudTrailDigestParsedRow = ParsedRowOf<typeof cloudtrailDigestTable>;

/** The log files a CloudTrail digest lists, one row each, next to their digest's row. */
export const cloudtrailDigestLogFileTable = defineTable({
  name: "cloudtrail_digest_log_file",
  description:
    "Log files listed by CloudTrail digests (logFiles[]), one row per listed file, partitioned like the digest that lists it",
  referenceUrl:
    "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-validation-digest-file-structure.html",
  timeColumn: "event_time",
  columns: {
    event_time: column.timestamp("digestEndTime of the listing digest, UTC", { nullable: false }),
    digest_s3_bucket: column.string("digestS3Bucket of the listing digest"),
    digest_s3_object: column.string("digestS3Object of the listing digest"),
    file_index: column.int32("Position of the file in the digest's logFiles, from 0", { nullable: false }),
    s3_bucket: column.string("logFiles[].s3Bucket"),
    s3_object: column.string("logFiles[].s3Object"),
    hash_value: column.string("logFiles[].hashValue: hex SHA-256 of the uncompressed log file"),
    hash_algorithm: column.string("logFiles[].hashAlgorithm, e.g. SHA-256"),
    newest_event_time: column.timestamp("logFiles[].newestEventTime, UTC"),
    oldest_event_time: column.timestamp("logFiles[].oldestEventTime, UTC"),
  },
});
export type CloudTrailDigestLogFileRow = RowOf<typeof cloudtrailDigestLogFileTable>;
export type CloudTrailDigestLogFileParsedRow = ParsedRowOf<typeof cloudtrailDigestLogFileTable>;
