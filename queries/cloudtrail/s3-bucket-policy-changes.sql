-- name: CloudTrail S3 bucket policy, ACL and public access block changes
-- description: Successful changes to who may read or write a bucket: bucket policies, ACLs, and bucket- or
--   account-level public access blocks. Removing a public access block is the usual step before data is exposed.
-- tables: cloudtrail
-- params: from, to
-- severity: high
-- report: security
-- section: CloudTrail
-- schedule: cron(0 6 * * ? *)
-- chart: event_name
SELECT
  event_time,
  event_name,
  json_extract_scalar(request_parameters, '$.bucketName') AS bucket,
  coalesce(user_identity_arn, user_identity_principal_id, user_identity_type) AS principal,
  source_ip_address,
  event_id
FROM cloudtrail
WHERE dt BETWEEN ? AND ?
  AND event_source IN ('s3.amazonaws.com', 's3-control.amazonaws.com')
  AND error_code IS NULL
  AND event_name IN (
    'PutBucketPolicy', 'DeleteBucketPolicy', 'PutBucketAcl',
    'PutBucketPublicAccessBlock', 'DeleteBucketPublicAccessBlock',
    'PutAccountPublicAccessBlock', 'DeleteAccountPublicAccessBlock'
  )
ORDER BY event_time, event_id
