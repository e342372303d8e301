-- name: Security Hub findings suppressed, insights or automation deleted
-- description: BatchUpdateFindings or an automation rule (CreateAutomationRule, BatchUpdateAutomationRules) that sets
--  the workflow status SUPPRESSED, and DeleteInsight or DeleteActionTarget: findings hidden from the people triaging
--  them. Marking findings NOTIFIED or RESOLVED is not a finding.
-- tables: cloudtrail, detection_allowlist
-- params: from, to
-- severity: medium
-- report: security
-- section: Defense Evasion
-- schedule: cron(0 6 * * ? *)
-- kind: event
-- tactics: TA0005
-- techniques: T1562.001
-- runbook: Review which findings were suppressed and by what criteria; set them back to NEW and delete the automation
--  rule.
-- actor: user_identity_arn
-- target: hub_object
-- chart: event_name
SELECT
  event_time,
  event_name,
  CASE WHEN error_code IS NULL THEN 'success' ELSE 'attempt' END AS outcome,
  user_identity_arn,
  user_identity_type,
  coalesce(json_extract_scalar(request_parameters, '$.InsightArn'), json_extract_scalar(request_parameters, '$.ActionTargetArn'), json_extract_scalar(request_parameters, '$.RuleName'), json_extract_scalar(request_parameters, '$.FindingIdentifiers[0].Id')) AS hub_object,
  source_ip_address,
  aws_region,
  recipient_account_id,
  error_code,
  event_id
FROM cloudtrail
WHERE dt BETWEEN ? AND ?
  AND event_source = 'securityhub.amazonaws.com'
  AND event_name IN ('BatchUpdateFindings', 'CreateAutomationRule', 'BatchUpdateAutomationRules', 'DeleteInsight', 'DeleteActionTarget')
  AND (event_name IN ('DeleteInsight', 'DeleteActionTarget') OR regexp_like(request_parameters, '(?i)"Workflow"\s*:\s*\{[^{}]*"Status"\s*:\s*"SUPPRESSED"'))
  AND coalesce(user_identity_invoked_by, '') <> 'cloudformation.amazonaws.com'
  AND coalesce(user_identity_session_issuer_arn, '') NOT LIKE '%:role/aws-service-role/%'
  AND coalesce(user_identity_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
  AND coalesce(user_identity_session_issuer_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
ORDER BY event_time, event_id
