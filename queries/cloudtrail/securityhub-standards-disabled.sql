-- name: Security Hub standards or controls disabled
-- description: BatchDisableStandards, UpdateStandardsControl with ControlStatus DISABLED, or
--  BatchUpdateStandardsControlAssociations setting an association to DISABLED: the checks behind them stop producing
--  findings. Enabling standards or controls is not a finding.
-- tables: cloudtrail, detection_allowlist
-- params: from, to
-- severity: medium
-- report: security
-- section: Defense Evasion
-- schedule: cron(0 6 * * ? *)
-- kind: event
-- tactics: TA0005
-- techniques: T1562.001
-- runbook: Check which standard or control was disabled and the reason given; re-enable it (BatchEnableStandards,
--  UpdateStandardsControl).
-- actor: user_identity_arn
-- target: standard_or_control
-- chart: event_name
SELECT
  event_time,
  event_name,
  CASE WHEN error_code IS NULL THEN 'success' ELSE 'attempt' END AS outcome,
  user_identity_arn,
  user_identity_type,
  coalesce(json_extract_scalar(request_parameters, '$.StandardsControlArn'), json_extract_scalar(request_parameters, '$.StandardsSubscriptionArns[0]'), json_extract_scalar(request_parameters, '$.StandardsControlAssociationUpdates[0].SecurityControlId')) AS standard_or_control,
  source_ip_address,
  aws_region,
  recipient_account_id,
  error_code,
  event_id
FROM cloudtrail
WHERE dt BETWEEN ? AND ?
  AND event_source = 'securityhub.amazonaws.com'
  AND event_name IN ('BatchDisableStandards', 'UpdateStandardsControl', 'BatchUpdateStandardsControlAssociations')
  AND (event_name = 'BatchDisableStandards' OR regexp_like(request_parameters, '(?i)"(ControlStatus|AssociationStatus)"\s*:\s*"DISABLED"'))
  AND coalesce(user_identity_invoked_by, '') <> 'cloudformation.amazonaws.com'
  AND coalesce(user_identity_session_issuer_arn, '') NOT LIKE '%:role/aws-service-role/%'
  AND coalesce(user_identity_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
  AND coalesce(user_identity_session_issuer_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
ORDER BY event_time, event_id
