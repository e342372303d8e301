-- name: S3 bucket or object ACL granting everyone or any AWS user
-- description: PutBucketAcl, PutObjectAcl or CreateBucket with a grant to the AllUsers or AuthenticatedUsers group, through
--   an explicit grant, an x-amz-grant-* header or a public-read, public-read-write or authenticated-read canned
--   ACL. Private, bucket-owner and log-delivery ACLs do not count.
-- tables: cloudtrail
-- params: from, to
-- severity: high
-- report: security
-- section: Exfiltration
-- schedule: cron(0 6 * * ? *)
-- kind: event
-- tactics: TA0010
-- techniques: T1537, T1530
-- alert: true
-- runbook: Check the ACL on the bucket or object and who set it; set it back to private (and enable Block Public Access)
--   unless the content is meant to be public.
-- actor: user_identity_arn
-- target: bucket_name, object_key
-- chart: event_name
SELECT
  event_time,
  event_name,
  CASE WHEN error_code IS NULL THEN 'success' ELSE 'attempt' END AS outcome,
  user_identity_arn,
  json_extract_scalar(request_parameters, '$.bucketName') AS bucket_name,
  json_extract_scalar(request_parameters, '$.key') AS object_key,
  source_ip_address,
  aws_region,
  recipient_account_id,
  error_code,
  event_id
FROM cloudtrail
WHERE dt BETWEEN ? AND ?
  AND event_source = 's3.amazonaws.com'
  AND event_name IN ('PutBucketAcl', 'PutObjectAcl', 'CreateBucket')
  AND (
    regexp_like(request_parameters, 'acs\.amazonaws\.com/groups/global/(AllUsers|AuthenticatedUsers)')
    OR regexp_like(request_parameters, '"x-amz-acl"\s*:\s*\[?\s*"(public-read|public-read-write|authenticated-read)"')
  )
ORDER BY event_time, event_id
