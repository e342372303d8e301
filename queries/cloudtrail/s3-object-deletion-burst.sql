-- name: S3 bucket emptied object by object or in batches after listing versions
-- description: One principal, in one clock hour on one bucket, deleting 20 or more objects with DeleteObject, or listing
--   object versions and then calling DeleteObjects (which can remove 1,000 versions a call and does not log the
--   keys): the two ways S3 ransomware destroys data. Not AWS services on the caller's behalf or service-linked
--   roles. Needs S3 data events.
-- tables: cloudtrail
-- params: from, to
-- severity: high
-- report: security
-- section: Impact
-- schedule: cron(0 6 * * ? *)
-- kind: aggregate
-- tactics: TA0040
-- techniques: T1485, T1486
-- stratus: aws.impact.s3-ransomware-individual-deletion, aws.impact.s3-ransomware-batch-deletion
-- alert: true
-- runbook: Disable the caller's credentials; restore from versions or backups, and check for a ransom note object
--   uploaded afterwards.
-- actor: user_identity_arn
-- target: bucket_name
-- chart: bucket_name deleted_objects
WITH calls AS (
  SELECT event_time, event_id, event_name, error_code, user_identity_arn, source_ip_address, aws_region, recipient_account_id,
    json_extract_scalar(request_parameters, '$.bucketName') AS bucket_name
  FROM cloudtrail
  WHERE dt BETWEEN ? AND ?
    AND event_source = 's3.amazonaws.com'
    AND event_name IN ('DeleteObject', 'DeleteObjects', 'ListObjectVersions')
    AND user_identity_arn IS NOT NULL
    AND user_identity_invoked_by IS NULL
    AND coalesce(user_identity_session_issuer_arn, user_identity_arn, '') NOT LIKE '%/aws-service-role/%'
)
SELECT
  min(event_time) AS event_time,
  max(event_name) AS event_name,
  CASE WHEN count(error_code) < count(*) THEN 'success' ELSE 'attempt' END AS outcome,
  user_identity_arn,
  bucket_name,
  count_if(event_name = 'DeleteObject') AS deleted_objects,
  count_if(event_name = 'DeleteObjects') AS batch_deletes,
  min(source_ip_address) AS source_ip_address,
  min(aws_region) AS aws_region,
  recipient_account_id,
  array_agg(event_id) AS event_ids
FROM calls
GROUP BY user_identity_arn, bucket_name, recipient_account_id, date_trunc('hour', event_time)
HAVING count_if(event_name = 'DeleteObject') >= 20
  OR (count_if(event_name = 'DeleteObjects') >= 1 AND count_if(event_name = 'ListObjectVersions') >= 1)
ORDER BY event_time, user_identity_arn
