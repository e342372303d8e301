-- name: Account removed from the AWS Organization or organization deleted
-- description: RemoveAccountFromOrganization or DeleteOrganization called in the management account: the removed
--  accounts lose the organization's guardrails (SCPs, organization trail, delegated GuardDuty and Security Hub).
--  Attempts are shown.
-- tables: cloudtrail
-- params: from, to
-- severity: high
-- report: security
-- section: Defense Evasion
-- schedule: cron(0 6 * * ? *)
-- kind: event
-- tactics: TA0005, TA0040
-- techniques: T1666, T1531
-- cis: 4.15
-- runbook: Confirm the removal was planned; invite the account back (InviteAccountToOrganization) and reattach its
--  policies.
-- actor: user_identity_arn
-- target: account_id
-- chart: event_name
SELECT
  event_time,
  event_name,
  CASE WHEN error_code IS NULL THEN 'success' ELSE 'attempt' END AS outcome,
  user_identity_arn,
  user_identity_type,
  coalesce(json_extract_scalar(request_parameters, '$.accountId'), recipient_account_id) AS account_id,
  source_ip_address,
  aws_region,
  recipient_account_id,
  error_code,
  event_id
FROM cloudtrail
WHERE dt BETWEEN ? AND ?
  AND event_source = 'organizations.amazonaws.com'
  AND event_name IN ('RemoveAccountFromOrganization', 'DeleteOrganization')
ORDER BY event_time, event_id
