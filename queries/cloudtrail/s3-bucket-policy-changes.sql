-- name: CloudTrail S3 bucket policy, ACL and public access block changes
-- description: Changes to who may read or write a bucket and where its data goes: bucket policies, ACLs, CORS,
--   lifecycle and replication rules, and bucket- or account-level public access blocks, successful or attempted.
--   A public access block that turns all four settings on only tightens access and is left out; removing or
--   loosening one is the usual step before data is exposed.
-- tables: cloudtrail
-- params: from, to
-- severity: high
-- report: security
-- section: Exfiltration
-- schedule: cron(0 6 * * ? *)
-- kind: event
-- tactics: TA0010, TA0005
-- techniques: T1537, T1562
-- cis: 4.8
-- stratus: aws.exfiltration.s3-backdoor-bucket-policy
-- runbook: Read the new policy, ACL or block settings and confirm them with the bucket's owner; restore the previous
--   settings and turn the public access block back on.
-- actor: user_identity_arn
-- target: bucket
-- chart: event_name
SELECT
  event_time,
  event_name,
  CASE WHEN error_code IS NULL THEN 'success' ELSE 'attempt' END AS outcome,
  coalesce(json_extract_scalar(request_parameters, '$.bucketName'), recipient_account_id) AS bucket,
  coalesce(user_identity_arn, user_identity_principal_id, user_identity_type) AS user_identity_arn,
  source_ip_address,
  aws_region,
  recipient_account_id,
  error_code,
  event_id
FROM cloudtrail
WHERE dt BETWEEN ? AND ?
  AND event_source IN ('s3.amazonaws.com', 's3-control.amazonaws.com')
  AND event_name IN (
    'PutBucketPolicy', 'DeleteBucketPolicy', 'PutBucketAcl',
    'PutBucketCors', 'DeleteBucketCors', 'PutBucketLifecycle', 'DeleteBucketLifecycle',
    'PutBucketReplication', 'DeleteBucketReplication',
    'PutBucketPublicAccessBlock', 'DeleteBucketPublicAccessBlock',
    'PutAccountPublicAccessBlock', 'DeleteAccountPublicAccessBlock'
  )
  AND coalesce(user_identity_invoked_by, '') <> 'cloudformation.amazonaws.com'
  AND NOT (
    event_name IN ('PutBucketPublicAccessBlock', 'PutAccountPublicAccessBlock')
    AND lower(coalesce(json_extract_scalar(request_parameters, '$.PublicAccessBlockConfiguration.BlockPublicAcls'), '')) = 'true'
    AND lower(coalesce(json_extract_scalar(request_parameters, '$.PublicAccessBlockConfiguration.IgnorePublicAcls'), '')) = 'true'
    AND lower(coalesce(json_extract_scalar(request_parameters, '$.PublicAccessBlockConfiguration.BlockPublicPolicy'), '')) = 'true'
    AND lower(coalesce(json_extract_scalar(request_parameters, '$.PublicAccessBlockConfiguration.RestrictPublicBuckets'), '')) = 'true'
  )
ORDER BY event_time, event_id
