-- name: S3 objects deleted in bulk
-- description: Per principal, bucket and hour: 50 or more DeleteObject calls, 20 or more permanent deletions of
--  object versions (DeleteObject with a versionId), 5 or more DeleteObjects batch calls, or a DeleteObjects after
--  ListObjectVersions (how a versioned bucket is emptied for good): the pattern of S3 ransomware and sabotage. Needs
--  CloudTrail S3 data events; a single DeleteObjects call (up to 1,000 keys) without a version listing stays below
--  the threshold.
-- tables: cloudtrail, detection_allowlist
-- params: from, to
-- severity: high
-- report: security
-- section: Impact
-- schedule: cron(0 6 * * ? *)
-- kind: aggregate
-- tactics: TA0040
-- techniques: T1485, T1490
-- stratus: aws.impact.s3-ransomware-batch-deletion, aws.impact.s3-ransomware-individual-deletion
-- runbook: Check the bucket for a ransom note and remaining versions; block the principal, restore from versions or
--  replicas.
-- actor: user_identity_arn
-- target: bucket
-- chart: bucket deletes
SELECT
  min(event_time) AS event_time,
  min(event_name) AS event_name,
  CASE WHEN count_if(error_code IS NULL AND event_name <> 'ListObjectVersions') > 0 THEN 'success' ELSE 'attempt' END AS outcome,
  user_identity_arn,
  json_extract_scalar(request_parameters, '$.bucketName') AS bucket,
  date_trunc('hour', event_time) AS hour_start,
  count_if(event_name = 'DeleteObject') AS delete_object_calls,
  count_if(event_name = 'DeleteObject' AND json_extract_scalar(request_parameters, '$.versionId') IS NOT NULL) AS version_deletes,
  count_if(event_name = 'DeleteObjects') AS delete_objects_calls,
  count_if(event_name = 'ListObjectVersions') AS version_listings,
  count_if(event_name <> 'ListObjectVersions') AS deletes,
  min(source_ip_address) AS source_ip_address,
  min(aws_region) AS aws_region,
  recipient_account_id,
  array_agg(event_id ORDER BY event_time, event_id) AS event_ids
FROM cloudtrail
WHERE dt BETWEEN ? AND ?
  AND event_source = 's3.amazonaws.com'
  AND event_name IN ('DeleteObject', 'DeleteObjects', 'ListObjectVersions')
  AND coalesce(user_identity_invoked_by, '') <> 'cloudformation.amazonaws.com'
  AND coalesce(user_identity_session_issuer_arn, '') NOT LIKE '%:role/aws-service-role/%'
  AND coalesce(user_identity_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
  AND coalesce(user_identity_session_issuer_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
GROUP BY user_identity_arn, json_extract_scalar(request_parameters, '$.bucketName'), date_trunc('hour', event_time), recipient_account_id
HAVING count_if(event_name = 'DeleteObject') >= 50
  OR count_if(event_name = 'DeleteObject' AND json_extract_scalar(request_parameters, '$.versionId') IS NOT NULL) >= 20
  OR count_if(event_name = 'DeleteObjects') >= 5
  OR (count_if(event_name = 'DeleteObjects') >= 1 AND count_if(event_name = 'ListObjectVersions') >= 1)
ORDER BY event_time, user_identity_arn, bucket
