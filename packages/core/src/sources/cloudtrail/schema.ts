import { column } from "../../schema/column.ts";
import { defineTable, type ParsedRowOf, type RowOf } from "../../schema/table.ts";

/** CloudTrail events (management, data and Insights events). */
export const cloudtrailTable = defineTable({
  name: "cloudtrail",
  description: "CloudTrail events, one row per record; Insights events have event_type AwsCloudTrailInsight",
  referenceUrl:
    "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html",
  timeColumn: "event_time",
  columns: {
    event_time: column.timestamp("eventTime: when the request completed, UTC", { nullable: false }),
    event_version: column.string("eventVersion, major.minor"),
    event_id: column.string("eventID: GUID, unique per event"),
    event_source: column.string("eventSource: service endpoint, e.g. s3.amazonaws.com"),
    event_name: column.string("eventName: the API action"),
    event_type: column.string(
      "eventType: AwsApiCall, AwsServiceEvent, AwsConsoleAction, AwsConsoleSignIn, AwsCloudTrailInsight",
    ),
    event_category: column.string("eventCategory: Management, Data, Insight, NetworkActivity"),
    aws_region: column.string("awsRegion the request was made to"),
    source_ip_address: column.string("sourceIPAddress: caller IP, or a service DNS name for AWS-service callers"),
    user_agent: column.string("userAgent of the caller"),
    error_code: column.string("errorCode when the request failed, e.g. AccessDenied"),
    error_message: column.string("errorMessage when the request failed"),
    request_id: column.string("requestID of the service request"),
    api_version: column.string("apiVersion of the API called"),
    read_only: column.boolean("readOnly: whether the call only reads"),
    management_event: column.boolean("managementEvent flag"),
    recipient_account_id: column.string("recipientAccountId: the account that received the event"),
    shared_event_id: column.string("sharedEventID: GUID shared by the copies of a cross-account event"),
    vpc_endpoint_id: column.string("vpcEndpointId the request came through"),
    session_credential_from_console: column.boolean("sessionCredentialFromConsole flag"),
    user_identity_type: column.string("userIdentity.type: Root, IAMUser, AssumedRole, FederatedUser, AWSService, …"),
    user_identity_arn: column.string("userIdentity.arn"),
    user_identity_account_id: column.string("userIdentity.accountId"),
    user_identity_user_name: column.string(
      "userIdentity.userName (HIDDEN_DUE_TO_SECURITY_REASONS for some failed sign-ins)",
    ),
    user_identity_principal_id: column.string("userIdentity.principalId"),
    user_identity_access_key_id: column.string("userIdentity.accessKeyId"),
    user_identity_invoked_by: column.string("userIdentity.invokedBy: the AWS service that made the call"),
    user_identity_mfa_authenticated: column.boolean("userIdentity.sessionContext.attributes.mfaAuthenticated"),
    user_identity_session_issuer_arn: column.string("userIdentity.sessionContext.sessionIssuer.arn"),
    user_identity_session_issuer_user_name: column.string("userIdentity.sessionContext.sessionIssuer.userName"),
    user_identity: column.json("The whole userIdentity object as JSON"),
    request_parameters: column.json("requestParameters as JSON"),
    response_elements: column.json("responseElements as JSON"),
    additional_event_data: column.json("additionalEventData as JSON (CloudTrail truncates it beyond 28 KB)"),
    resources: column.json("resources as a JSON array of {ARN, accountId, type}"),
    service_event_details: column.json("serviceEventDetails as JSON"),
    tls_details: column.json("tlsDetails as JSON {tlsVersion, cipherSuite, clientProvidedHostHeader}"),
    addendum: column.json("addendum as JSON (late or updated delivery)"),
    insight_details: column.json("insightDetails as JSON (Insights events only)"),
    extra: column.json("Top-level fields not modelled as columns, as a JSON object"),
  },
});
export type CloudTrailRow = RowOf<typeof cloudtrailTable>;
export type CloudTrailParsedRow = ParsedRowOf<typeof cloudtrailTable>;

/** CloudTrail digest files, kept for log-file integrity validation. */
export const cloudtrailDigestTable = defineTable({
  name: "cloudtrail_digest",
  description: "CloudTrail digest files, one row per digest, kept for log file integrity validation",
  referenceUrl:
    "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-validation-digest-file-structure.html",
  timeColumn: "event_time",
  columns: {
    event_time: column.timestamp("digestEndTime, UTC", { nullable: false }),
    digest_start_time: column.timestamp("digestStartTime, UTC"),
    aws_account_id: column.string("awsAccountId"),
    digest_s3_bucket: column.string("digestS3Bucket"),
    digest_s3_object: column.string("digestS3Object"),
    digest_public_key_fingerprint: column.string("digestPublicKeyFingerprint"),
    digest_signature_algorithm: column.string("digestSignatureAlgorithm, e.g. SHA256withRSA"),
    newest_event_time: column.timestamp("newestEventTime over the listed log files"),
    oldest_event_time: column.timestamp("oldestEventTime over the listed log files"),
    previous_digest_s3_object: column.string("previousDigestS3Object"),
    previous_digest_hash_value: column.string("previousDigestHashValue"),
    previous_digest_signature: column.string("previousDigestSignature"),
    log_file_count: column.int32("Number of log files listed"),
    log_files: column.json(
      "logFiles as a JSON array of {s3Bucket, s3Object, hashValue, hashAlgorithm, newestEventTime, oldestEventTime}",
    ),
  },
});
export type CloudTrailDigestRow = RowOf<typeof cloudtrailDigestTable>;
export type CloudTrailDigestParsedRow = ParsedRowOf<typeof cloudtrailDigestTable>;
