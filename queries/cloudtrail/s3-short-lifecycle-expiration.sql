-- name: S3 lifecycle rule deleting objects within a week
-- description: PutBucketLifecycle (PutBucketLifecycleConfiguration) with a rule that expires current objects or
--  noncurrent versions after 7 days or fewer: on a log bucket the evidence disappears before anyone looks. Longer
--  expirations, transitions and aborting incomplete multipart uploads are not findings.
-- tables: cloudtrail, detection_allowlist
-- params: from, to
-- severity: high
-- report: security
-- section: Defense Evasion
-- schedule: cron(0 6 * * ? *)
-- kind: event
-- tactics: TA0005
-- techniques: T1562.008, T1485
-- stratus: aws.defense-evasion.cloudtrail-lifecycle-rule
-- runbook: Check whether the bucket holds logs or backups; remove the rule (or lengthen it) and check which objects
--  already expired.
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
  AND event_name = 'PutBucketLifecycle'
  AND regexp_like(request_parameters, '"(Expiration"\s*:\s*\{[^{}]*"Days|NoncurrentVersionExpiration"\s*:\s*\{[^{}]*"NoncurrentDays)"\s*:\s*"?[0-7]"?\s*[,}]')
  AND coalesce(user_identity_invoked_by, '') <> 'cloudformation.amazonaws.com'
  AND coalesce(user_identity_session_issuer_arn, '') NOT LIKE '%:role/aws-service-role/%'
  AND coalesce(user_identity_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
  AND coalesce(user_identity_session_issuer_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
ORDER BY event_time, event_id
