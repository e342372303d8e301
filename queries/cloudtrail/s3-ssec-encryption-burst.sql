-- name: S3 objects rewritten with a customer-provided key in bulk
-- description: Per principal, bucket and hour, 10 or more PutObject or CopyObject calls carrying
--  x-amz-server-side-encryption-customer-algorithm (SSE-C): objects re-encrypted under a key only the caller holds,
--  the S3 ransomware pattern. A few SSE-C uploads, and bulk copies without SSE-C, are not findings. Needs CloudTrail
--  S3 data events.
-- tables: cloudtrail, detection_allowlist
-- params: from, to
-- severity: critical
-- report: security
-- section: Impact
-- schedule: cron(0 6 * * ? *)
-- kind: aggregate
-- tactics: TA0040
-- techniques: T1486
-- stratus: aws.impact.s3-ransomware-client-side-encryption
-- runbook: Block the principal at once; restore the objects from earlier versions or replicas and look for a ransom
--  note.
-- actor: user_identity_arn
-- target: bucket
-- chart: bucket objects
SELECT
  min(event_time) AS event_time,
  min(event_name) AS event_name,
  CASE WHEN count_if(error_code IS NULL) > 0 THEN 'success' ELSE 'attempt' END AS outcome,
  user_identity_arn,
  json_extract_scalar(request_parameters, '$.bucketName') AS bucket,
  date_trunc('hour', event_time) AS hour_start,
  count(*) AS objects,
  min(source_ip_address) AS source_ip_address,
  min(aws_region) AS aws_region,
  recipient_account_id,
  array_agg(event_id ORDER BY event_time, event_id) AS event_ids
FROM cloudtrail
WHERE dt BETWEEN ? AND ?
  AND event_source = 's3.amazonaws.com'
  AND event_name IN ('PutObject', 'CopyObject')
  AND regexp_like(request_parameters, '"x-amz-server-side-encryption-customer-algorithm"\s*:')
  AND coalesce(user_identity_invoked_by, '') <> 'cloudformation.amazonaws.com'
  AND coalesce(user_identity_session_issuer_arn, '') NOT LIKE '%:role/aws-service-role/%'
  AND coalesce(user_identity_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
  AND coalesce(user_identity_session_issuer_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
GROUP BY user_identity_arn, json_extract_scalar(request_parameters, '$.bucketName'), date_trunc('hour', event_time), recipient_account_id
HAVING count(*) >= 10
ORDER BY event_time, user_identity_arn, bucket
