-- name: GuardDuty filter created to auto-archive findings
-- description: CreateFilter or UpdateFilter with action ARCHIVE: matching findings are archived as they arrive and
--  never shown, which attackers use to silence detections of their own activity. Saved filters that only select
--  (NOOP) are not findings.
-- tables: cloudtrail, detection_allowlist
-- params: from, to
-- severity: high
-- report: security
-- section: Defense Evasion
-- schedule: cron(0 6 * * ? *)
-- kind: event
-- tactics: TA0005
-- techniques: T1562.001
-- runbook: Read the filter's criteria for what it hides; delete the filter (DeleteFilter) and review the archived
--  findings.
-- actor: user_identity_arn
-- target: filter_name
-- chart: event_name
SELECT
  event_time,
  event_name,
  CASE WHEN error_code IS NULL THEN 'success' ELSE 'attempt' END AS outcome,
  user_identity_arn,
  user_identity_type,
  coalesce(json_extract_scalar(request_parameters, '$.name'), json_extract_scalar(request_parameters, '$.filterName')) AS filter_name,
  source_ip_address,
  aws_region,
  recipient_account_id,
  error_code,
  event_id
FROM cloudtrail
WHERE dt BETWEEN ? AND ?
  AND event_source = 'guardduty.amazonaws.com'
  AND event_name IN ('CreateFilter', 'UpdateFilter')
  AND upper(json_extract_scalar(request_parameters, '$.action')) = 'ARCHIVE'
  AND coalesce(user_identity_invoked_by, '') <> 'cloudformation.amazonaws.com'
  AND coalesce(user_identity_session_issuer_arn, '') NOT LIKE '%:role/aws-service-role/%'
  AND coalesce(user_identity_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
  AND coalesce(user_identity_session_issuer_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
ORDER BY event_time, event_id
