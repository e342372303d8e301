-- name: Macie disabled or paused
-- description: DisableMacie, UpdateMacieSession with status PAUSED, or the delegated Macie administrator removed:
--  sensitive-data discovery stops. Resuming the session (ENABLED) is not a finding.
-- tables: cloudtrail, detection_allowlist
-- params: from, to
-- severity: medium
-- report: security
-- section: Defense Evasion
-- schedule: cron(0 6 * * ? *)
-- kind: event
-- tactics: TA0005
-- techniques: T1562.001
-- runbook: Check who stopped Macie and whether buckets changed meanwhile; resume the session (UpdateMacieSession
--  status ENABLED).
-- actor: user_identity_arn
-- target: macie_account
-- chart: event_name
SELECT
  event_time,
  event_name,
  CASE WHEN error_code IS NULL THEN 'success' ELSE 'attempt' END AS outcome,
  user_identity_arn,
  user_identity_type,
  coalesce(json_extract_scalar(request_parameters, '$.adminAccountId'), recipient_account_id) AS macie_account,
  source_ip_address,
  aws_region,
  recipient_account_id,
  error_code,
  event_id
FROM cloudtrail
WHERE dt BETWEEN ? AND ?
  AND event_source = 'macie2.amazonaws.com'
  AND event_name IN ('DisableMacie', 'UpdateMacieSession', 'DisableOrganizationAdminAccount')
  AND (event_name <> 'UpdateMacieSession' OR upper(json_extract_scalar(request_parameters, '$.status')) = 'PAUSED')
  AND coalesce(user_identity_invoked_by, '') <> 'cloudformation.amazonaws.com'
  AND coalesce(user_identity_session_issuer_arn, '') NOT LIKE '%:role/aws-service-role/%'
  AND coalesce(user_identity_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
  AND coalesce(user_identity_session_issuer_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
ORDER BY event_time, event_id
