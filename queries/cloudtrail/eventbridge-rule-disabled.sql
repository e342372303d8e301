-- name: EventBridge rules disabled, deleted or stripped of targets
-- description: DisableRule, DeleteRule or RemoveTargets: alerting and automated responses wired to EventBridge
--  (GuardDuty findings to a pager, auto-remediation) stop. Rules AWS services manage for themselves (service-linked
--  roles) and CloudFormation deploys are left out; enabling or putting rules is not a finding.
-- tables: cloudtrail, detection_allowlist
-- params: from, to
-- severity: medium
-- report: security
-- section: Defense Evasion
-- schedule: cron(0 6 * * ? *)
-- kind: event
-- tactics: TA0005
-- techniques: T1562.001
-- runbook: Check what the rule triggered; re-enable it (EnableRule) or restore its targets (PutTargets).
-- actor: user_identity_arn
-- target: rule_name
-- chart: event_name
SELECT
  event_time,
  event_name,
  CASE WHEN error_code IS NULL THEN 'success' ELSE 'attempt' END AS outcome,
  user_identity_arn,
  user_identity_type,
  coalesce(json_extract_scalar(request_parameters, '$.name'), json_extract_scalar(request_parameters, '$.rule')) AS rule_name,
  source_ip_address,
  aws_region,
  recipient_account_id,
  error_code,
  event_id
FROM cloudtrail
WHERE dt BETWEEN ? AND ?
  AND event_source = 'events.amazonaws.com'
  AND event_name IN ('DisableRule', 'DeleteRule', 'RemoveTargets')
  AND coalesce(user_identity_invoked_by, '') <> 'cloudformation.amazonaws.com'
  AND coalesce(user_identity_session_issuer_arn, '') NOT LIKE '%:role/aws-service-role/%'
  AND coalesce(user_identity_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
  AND coalesce(user_identity_session_issuer_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
ORDER BY event_time, event_id
