-- name: S3 bucket replication removed
-- description: DeleteBucketReplication: objects stop being copied to the replica bucket that serves as an off-site
--  backup. Putting a replication configuration is not a finding.
-- tables: cloudtrail, detection_allowlist
-- params: from, to
-- severity: medium
-- report: security
-- section: Impact
-- schedule: cron(0 6 * * ? *)
-- kind: event
-- tactics: TA0040
-- techniques: T1490
-- runbook: Check whether the replica was the recovery copy; restore the replication rules (PutBucketReplication).
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
  source_ip_address,
  aws_region,
  recipient_account_id,
  error_code,
  event_id
FROM cloudtrail
WHERE dt BETWEEN ? AND ?
  AND event_source = 's3.amazonaws.com'
  AND event_name = 'DeleteBucketReplication'
  AND coalesce(user_identity_invoked_by, '') <> 'cloudformation.amazonaws.com'
  AND coalesce(user_identity_session_issuer_arn, '') NOT LIKE '%:role/aws-service-role/%'
  AND coalesce(user_identity_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
  AND coalesce(user_identity_session_issuer_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
ORDER BY event_time, event_id
