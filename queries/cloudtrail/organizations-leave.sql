-- name: Account attempts to leave the AWS Organization
-- description: LeaveOrganization called from a member account, successful or denied: outside the organization the
--  account escapes its service control policies, organization trail and delegated security tooling. A denied attempt
--  (an SCP usually blocks it) still shows intent.
-- tables: cloudtrail
-- params: from, to
-- severity: critical
-- report: security
-- section: Defense Evasion
-- schedule: cron(0 6 * * ? *)
-- kind: event
-- tactics: TA0005
-- techniques: T1666
-- cis: 4.15
-- stratus: aws.defense-evasion.organizations-leave
-- alert: true
-- runbook: Treat the caller's credentials as compromised: revoke its sessions, find how it got organizations rights;
--  if the account left, invite it back and restore the SCPs.
-- actor: user_identity_arn
-- target: account_id
-- chart: event_name
SELECT
  event_time,
  event_name,
  CASE WHEN error_code IS NULL THEN 'success' ELSE 'attempt' END AS outcome,
  user_identity_arn,
  user_identity_type,
  recipient_account_id AS account_id,
  source_ip_address,
  aws_region,
  recipient_account_id,
  error_code,
  event_id
FROM cloudtrail
WHERE dt BETWEEN ? AND ?
  AND event_source = 'organizations.amazonaws.com'
  AND event_name = 'LeaveOrganization'
ORDER BY event_time, event_id
