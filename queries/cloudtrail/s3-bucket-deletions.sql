-- name: CloudTrail S3 bucket deletions
-- description: Buckets deleted, or an attempt to delete one (for example BucketNotEmpty, AccessDenied). Deleting a
--   bucket destroys evidence or data for good once its objects are gone. Deletions CloudFormation makes are left
--   out.
-- tables: cloudtrail
-- params: from, to
-- severity: high
-- report: security
-- section: Impact
-- schedule: cron(0 6 * * ? *)
-- kind: event
-- tactics: TA0040
-- techniques: T1485
-- runbook: Confirm the deletion with the bucket's owner; recover from replicas or backups, and check what else the
--   actor deleted.
-- actor: user_identity_arn
-- target: bucket
SELECT
  event_time,
  event_name,
  CASE WHEN error_code IS NULL THEN 'success' ELSE 'attempt' END AS outcome,
  json_extract_scalar(request_parameters, '$.bucketName') AS bucket,
  coalesce(user_identity_arn, user_identity_principal_id, user_identity_type) AS user_identity_arn,
  source_ip_address,
  aws_region,
  recipient_account_id,
  error_code,
  event_id
FROM cloudtrail
WHERE dt BETWEEN ? AND ?
  AND event_source = 's3.amazonaws.com'
  AND event_name = 'DeleteBucket'
  AND coalesce(user_identity_invoked_by, '') <> 'cloudformation.amazonaws.com'
ORDER BY event_time, event_id
