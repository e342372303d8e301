-- name: CloudTrail root account usage
-- description: API calls and console actions made with the root user's credentials, successful or attempted.
--   Root should be used only for the few tasks that need it, so every call is a finding. Calls an AWS service
--   made on root's behalf (invokedBy) and service events are left out.
-- tables: cloudtrail
-- params: from, to
-- severity: high
-- report: security
-- section: Privilege Escalation
-- schedule: cron(0 6 * * ? *)
-- kind: event
-- tactics: TA0004, TA0001, TA0003
-- techniques: T1078.004
-- cis: 4.3
-- alert: true
-- runbook: Ask the account owner whether they signed in as root and why; if not, reset the root password and MFA
--   and review everything the session did.
-- actor: user_identity_arn
-- target: recipient_account_id
-- chart: event_name
SELECT
  event_time,
  event_name,
  CASE WHEN error_code IS NULL THEN 'success' ELSE 'attempt' END AS outcome,
  event_source,
  user_identity_arn,
  source_ip_address,
  user_agent,
  aws_region,
  error_code,
  recipient_account_id,
  event_id
FROM cloudtrail
WHERE dt BETWEEN ? AND ?
  AND user_identity_type = 'Root'
  AND user_identity_invoked_by IS NULL
  AND coalesce(event_type, '') <> 'AwsServiceEvent'
ORDER BY event_time, event_id
