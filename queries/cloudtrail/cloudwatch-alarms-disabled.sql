-- name: CloudWatch alarms deleted or their actions disabled
-- description: DeleteAlarms or DisableAlarmActions: the alarms stop notifying (for example the CIS metric-filter
--  alarms). Target tracking alarms that Application Auto Scaling deletes for itself (service-linked role) are left
--  out; enabling actions or putting alarms is not a finding.
-- tables: cloudtrail, detection_allowlist
-- params: from, to
-- severity: medium
-- report: security
-- section: Defense Evasion
-- schedule: cron(0 6 * * ? *)
-- kind: event
-- tactics: TA0005
-- techniques: T1562.001
-- runbook: Check which alarms went quiet and why; recreate them (PutMetricAlarm) or re-enable actions
--  (EnableAlarmActions).
-- actor: user_identity_arn
-- target: alarm_name
-- chart: event_name
SELECT
  event_time,
  event_name,
  CASE WHEN error_code IS NULL THEN 'success' ELSE 'attempt' END AS outcome,
  user_identity_arn,
  user_identity_type,
  json_extract_scalar(request_parameters, '$.alarmNames[0]') AS alarm_name,
  source_ip_address,
  aws_region,
  recipient_account_id,
  error_code,
  event_id
FROM cloudtrail
WHERE dt BETWEEN ? AND ?
  AND event_source = 'monitoring.amazonaws.com'
  AND event_name IN ('DeleteAlarms', 'DisableAlarmActions')
  AND coalesce(user_identity_invoked_by, '') <> 'cloudformation.amazonaws.com'
  AND coalesce(user_identity_session_issuer_arn, '') NOT LIKE '%:role/aws-service-role/%'
  AND coalesce(user_identity_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
  AND coalesce(user_identity_session_issuer_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
ORDER BY event_time, event_id
