-- name: S3 bucket versioning suspended or MFA delete disabled
-- description: PutBucketVersioning with Status Suspended or MfaDelete Disabled: overwritten and deleted objects are
--  no longer kept as versions, so they cannot be restored. Enabling versioning is not a finding.
-- tables: cloudtrail, detection_allowlist
-- params: from, to
-- severity: high
-- report: security
-- section: Impact
-- schedule: cron(0 6 * * ? *)
-- kind: event
-- tactics: TA0040
-- techniques: T1490
-- runbook: Check the bucket's contents and recent deletes; set Status Enabled again and consider Object Lock.
-- actor: user_identity_arn
-- target: bucket
-- chart: event_name
SELECT
  event_time,
  event_name,
  CASE WHEN error_code IS NULL THEN 'success' ELSE 'attempt' END AS outcome,
  user_identity_arn,
  user_identity_type,
  json_extract_scalar(request_parameters, '$.bucketName') AS bucket,
  json_extract_scalar(request_parameters, '$.VersioningConfiguration.Status') AS versioning_status,
  source_ip_address,
  aws_region,
  recipient_account_id,
  error_code,
  event_id
FROM cloudtrail
WHERE dt BETWEEN ? AND ?
  AND event_source = 's3.amazonaws.com'
  AND event_name = 'PutBucketVersioning'
  AND (json_extract_scalar(request_parameters, '$.VersioningConfiguration.Status') = 'Suspended' OR json_extract_scalar(request_parameters, '$.VersioningConfiguration.MfaDelete') = 'Disabled')
  AND coalesce(user_identity_invoked_by, '') <> 'cloudformation.amazonaws.com'
  AND coalesce(user_identity_session_issuer_arn, '') NOT LIKE '%:role/aws-service-role/%'
  AND coalesce(user_identity_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
  AND coalesce(user_identity_session_issuer_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
ORDER BY event_time, event_id
