-- name: CloudWatch Logs retention set to a week or less
-- description: PutRetentionPolicy with retentionInDays 7 or fewer: log events older than that are deleted by
--  CloudWatch Logs. Longer retention, or removing the policy (keep forever), is not a finding.
-- tables: cloudtrail, detection_allowlist
-- params: from, to
-- severity: medium
-- report: security
-- section: Defense Evasion
-- schedule: cron(0 6 * * ? *)
-- kind: event
-- tactics: TA0005
-- techniques: T1562.008, T1070
-- runbook: Check what the group holds; set the retention back (PutRetentionPolicy) and export what remains if needed.
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
  json_extract_scalar(request_parameters, '$.retentionInDays') AS retention_days,
  source_ip_address,
  aws_region,
  recipient_account_id,
  error_code,
  event_id
FROM cloudtrail
WHERE dt BETWEEN ? AND ?
  AND event_source = 'logs.amazonaws.com'
  AND event_name = 'PutRetentionPolicy'
  AND try_cast(json_extract_scalar(request_parameters, '$.retentionInDays') AS integer) <= 7
  AND coalesce(user_identity_invoked_by, '') <> 'cloudformation.amazonaws.com'
  AND coalesce(user_identity_session_issuer_arn, '') NOT LIKE '%:role/aws-service-role/%'
  AND coalesce(user_identity_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
  AND coalesce(user_identity_session_issuer_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
ORDER BY event_time, event_id
