-- name: CloudWatch Logs log groups or streams deleted
-- description: DeleteLogGroup or DeleteLogStream: the stored log events are gone for good. Lambda's and
--  CloudFormation's own clean-ups (service-linked roles, stack deletion) are left out. Attempts are shown.
-- tables: cloudtrail, detection_allowlist
-- params: from, to
-- severity: high
-- report: security
-- section: Defense Evasion
-- schedule: cron(0 6 * * ? *)
-- kind: event
-- tactics: TA0005
-- techniques: T1562.008, T1070
-- runbook: Check what the group held (application, VPC flow, CloudTrail logs) and who deleted it; recreate it and its
--  subscriptions.
-- actor: user_identity_arn
-- target: log_group
-- chart: event_name
SELECT
  event_time,
  event_name,
  CASE WHEN error_code IS NULL THEN 'success' ELSE 'attempt' END AS outcome,
  user_identity_arn,
  user_identity_type,
  json_extract_scalar(request_parameters, '$.logGroupName') AS log_group,
  json_extract_scalar(request_parameters, '$.logStreamName') AS log_stream,
  source_ip_address,
  aws_region,
  recipient_account_id,
  error_code,
  event_id
FROM cloudtrail
WHERE dt BETWEEN ? AND ?
  AND event_source = 'logs.amazonaws.com'
  AND event_name IN ('DeleteLogGroup', 'DeleteLogStream')
  AND coalesce(user_identity_invoked_by, '') <> 'cloudformation.amazonaws.com'
  AND coalesce(user_identity_session_issuer_arn, '') NOT LIKE '%:role/aws-service-role/%'
  AND coalesce(user_identity_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
  AND coalesce(user_identity_session_issuer_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
ORDER BY event_time, event_id
