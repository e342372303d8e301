-- name: S3 objects rewritten with a customer-provided encryption key
-- description: One principal writing 5 or more objects of one bucket with SSE-C (CopyObject, PutObject or
--   CreateMultipartUpload carrying x-amz-server-side-encryption-customer-algorithm) in one clock hour:
--   re-encrypting data with a key only the caller holds is S3 ransomware. Needs S3 data events.
-- tables: cloudtrail
-- params: from, to
-- severity: critical
-- report: security
-- section: Impact
-- schedule: cron(0 6 * * ? *)
-- kind: aggregate
-- tactics: TA0040
-- techniques: T1486
-- stratus: aws.impact.s3-ransomware-client-side-encryption
-- alert: true
-- runbook: Disable the caller's credentials at once; restore previous object versions if versioning is on, and block
--   SSE-C writes with a bucket policy.
-- actor: user_identity_arn
-- target: bucket_name
-- chart: bucket_name objects
WITH writes AS (
  SELECT event_time, event_id, event_name, error_code, user_identity_arn, source_ip_address, aws_region, recipient_account_id,
    json_extract_scalar(request_parameters, '$.bucketName') AS bucket_name,
    json_extract_scalar(request_parameters, '$.key') AS object_key
  FROM cloudtrail
  WHERE dt BETWEEN ? AND ?
    AND event_source = 's3.amazonaws.com'
    AND event_name IN ('CopyObject', 'PutObject', 'CreateMultipartUpload')
    AND regexp_like(request_parameters, '"x-amz-server-side-encryption-customer-algorithm"')
)
SELECT
  min(event_time) AS event_time,
  min(event_name) AS event_name,
  CASE WHEN count(error_code) < count(*) THEN 'success' ELSE 'attempt' END AS outcome,
  user_identity_arn,
  bucket_name,
  count(DISTINCT object_key) AS objects,
  min(source_ip_address) AS source_ip_address,
  min(aws_region) AS aws_region,
  recipient_account_id,
  array_agg(event_id) AS event_ids
FROM writes
GROUP BY user_identity_arn, bucket_name, recipient_account_id, date_trunc('hour', event_time)
HAVING count(DISTINCT object_key) >= 5
ORDER BY event_time, user_identity_arn
