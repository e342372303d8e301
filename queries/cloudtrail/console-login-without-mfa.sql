-- name: CloudTrail console login without MFA
-- description: Successful console sign-ins of IAM users and root that did not use MFA. Federated and SSO
--   sign-ins are left out because their MFA happens at the identity provider.
-- tables: cloudtrail
-- params: from, to
-- severity: medium
-- report: security
-- section: Initial Access
-- schedule: cron(0 6 * * ? *)
-- kind: event
-- tactics: TA0001
-- techniques: T1078.004
-- cis: 4.2
-- stratus: aws.initial-access.console-login-without-mfa
-- runbook: Confirm the sign-in with the user; require an MFA device for them (or root) and rotate the password if
--   it was not theirs.
-- actor: user_identity_arn
-- target: recipient_account_id
SELECT
  event_time,
  event_name,
  CASE WHEN error_code IS NULL THEN 'success' ELSE 'attempt' END AS outcome,
  coalesce(user_identity_arn, user_identity_user_name) AS user_identity_arn,
  user_identity_type,
  source_ip_address,
  user_agent,
  aws_region,
  recipient_account_id,
  event_id
FROM cloudtrail
WHERE dt BETWEEN ? AND ?
  AND event_name = 'ConsoleLogin'
  AND user_identity_type IN ('IAMUser', 'Root')
  AND json_extract_scalar(response_elements, '$.ConsoleLogin') = 'Success'
  AND json_extract_scalar(additional_event_data, '$.MFAUsed') = 'No'
ORDER BY event_time, event_id
