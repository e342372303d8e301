-- name: GuardDuty account disassociated from its administrator
-- description: A member account leaves its GuardDuty administrator (DisassociateFromAdministratorAccount, the older
--  DisassociateFromMasterAccount), or the administrator disassociates, deletes or stops monitoring members: findings
--  of those accounts stop reaching the security team. Accepting an invitation is not a finding.
-- tables: cloudtrail, detection_allowlist
-- params: from, to
-- severity: high
-- report: security
-- section: Defense Evasion
-- schedule: cron(0 6 * * ? *)
-- kind: event
-- tactics: TA0005
-- techniques: T1562.001
-- runbook: Check who broke the link and from which account; re-invite the member and accept the invitation.
-- actor: user_identity_arn
-- target: detector_id, member_account
-- chart: event_name
SELECT
  event_time,
  event_name,
  CASE WHEN error_code IS NULL THEN 'success' ELSE 'attempt' END AS outcome,
  user_identity_arn,
  user_identity_type,
  json_extract_scalar(request_parameters, '$.detectorId') AS detector_id,
  coalesce(json_extract_scalar(request_parameters, '$.accountIds[0]'), recipient_account_id) AS member_account,
  source_ip_address,
  aws_region,
  recipient_account_id,
  error_code,
  event_id
FROM cloudtrail
WHERE dt BETWEEN ? AND ?
  AND event_source = 'guardduty.amazonaws.com'
  AND event_name IN ('DisassociateFromAdministratorAccount', 'DisassociateFromMasterAccount', 'DisassociateMembers', 'DeleteMembers', 'StopMonitoringMembers')
  AND coalesce(user_identity_invoked_by, '') <> 'cloudformation.amazonaws.com'
  AND coalesce(user_identity_session_issuer_arn, '') NOT LIKE '%:role/aws-service-role/%'
  AND coalesce(user_identity_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
  AND coalesce(user_identity_session_issuer_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
ORDER BY event_time, event_id
