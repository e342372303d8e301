-- name: Security Hub disabled or detached from its administrator
-- description: DisableSecurityHub, or the account disassociating from its Security Hub administrator (or the
--  administrator disassociating or deleting members): aggregated findings and standards checks stop. Enabling
--  Security Hub is not a finding. Attempts are shown.
-- tables: cloudtrail, detection_allowlist
-- params: from, to
-- severity: high
-- report: security
-- section: Defense Evasion
-- schedule: cron(0 6 * * ? *)
-- kind: event
-- tactics: TA0005
-- techniques: T1562.001
-- runbook: Find who disabled Security Hub; re-enable it (EnableSecurityHub) with the standards and re-associate the
--  member.
-- actor: user_identity_arn
-- target: hub_account
-- chart: event_name
SELECT
  event_time,
  event_name,
  CASE WHEN error_code IS NULL THEN 'success' ELSE 'attempt' END AS outcome,
  user_identity_arn,
  user_identity_type,
  coalesce(json_extract_scalar(request_parameters, '$.AccountIds[0]'), recipient_account_id) AS hub_account,
  source_ip_address,
  aws_region,
  recipient_account_id,
  error_code,
  event_id
FROM cloudtrail
WHERE dt BETWEEN ? AND ?
  AND event_source = 'securityhub.amazonaws.com'
  AND event_name IN ('DisableSecurityHub', 'DisassociateFromAdministratorAccount', 'DisassociateFromMasterAccount', 'DisassociateMembers', 'DeleteMembers')
  AND coalesce(user_identity_invoked_by, '') <> 'cloudformation.amazonaws.com'
  AND coalesce(user_identity_session_issuer_arn, '') NOT LIKE '%:role/aws-service-role/%'
  AND coalesce(user_identity_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
  AND coalesce(user_identity_session_issuer_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
ORDER BY event_time, event_id
