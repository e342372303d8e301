-- name: CloudTrail S3 bucket deletions
-- description: Buckets deleted successfully. Deleting a bucket destroys evidence or data for good once its
--   objects are gone; failed attempts (for example BucketNotEmpty) are left out.
-- tables: cloudtrail
-- params: from, to
-- severity: high
-- report: security
-- section: CloudTrail
-- schedule: cron(0 6 * * ? *)
SELECT
  event_time,
  json_extract_scalar(request_parameters, '$.bucketName') AS bucket,
  coalesce(user_identity_arn, user_identity_principal_id, user_identity_type) AS principal,
  source_ip_address,
  aws_region,
  event_id
FROM cloudtrail
WHERE dt BETWEEN ? AND ?
  AND event_source = 's3.amazonaws.com'
  AND event_name = 'DeleteBucket'
  AND error_code IS NULL
ORDER BY event_time, event_id
