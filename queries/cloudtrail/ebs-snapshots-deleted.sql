-- name: EBS snapshots deleted
-- description: EC2 DeleteSnapshot: a volume restore point removed. AWS Backup removing expired snapshots with its
--  service-linked role and CloudFormation deploys are left out; creating or copying snapshots is not a finding.
--  Attempts are shown.
-- tables: cloudtrail, detection_allowlist
-- params: from, to
-- severity: medium
-- report: security
-- section: Impact
-- schedule: cron(0 6 * * ? *)
-- kind: event
-- tactics: TA0040
-- techniques: T1490
-- runbook: Check which volumes lost restore points and whether the deletion was a retention job; protect the rest.
-- actor: user_identity_arn
-- target: snapshot_id
-- chart: event_name
SELECT
  event_time,
  event_name,
  CASE WHEN error_code IS NULL THEN 'success' ELSE 'attempt' END AS outcome,
  user_identity_arn,
  user_identity_type,
  json_extract_scalar(request_parameters, '$.snapshotId') AS snapshot_id,
  source_ip_address,
  aws_region,
  recipient_account_id,
  error_code,
  event_id
FROM cloudtrail
WHERE dt BETWEEN ? AND ?
  AND event_source = 'ec2.amazonaws.com'
  AND event_name = 'DeleteSnapshot'
  AND coalesce(user_identity_invoked_by, '') <> 'cloudformation.amazonaws.com'
  AND coalesce(user_identity_session_issuer_arn, '') NOT LIKE '%:role/aws-service-role/%'
  AND coalesce(user_identity_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
  AND coalesce(user_identity_session_issuer_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
ORDER BY event_time, event_id
