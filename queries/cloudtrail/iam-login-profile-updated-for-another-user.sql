-- name: IAM console password changed for another user
-- description: UpdateLoginProfile naming a user other than the caller: the caller resets someone else's console password and
--   can sign in as them. A user changing their own password (ChangePassword or UpdateLoginProfile on themselves)
--   does not count.
-- tables: cloudtrail
-- params: from, to
-- severity: high
-- report: security
-- section: Privilege Escalation
-- schedule: cron(0 6 * * ? *)
-- kind: event
-- tactics: TA0004, TA0003
-- techniques: T1098
-- stratus: aws.privilege-escalation.iam-update-user-login-profile
-- runbook: Ask the user whether the reset was requested; if not, reset the password again, require MFA and review the
--   user's sign-ins since.
-- actor: user_identity_arn
-- target: user_name
-- chart: event_name
SELECT
  event_time,
  event_name,
  CASE WHEN error_code IS NULL THEN 'success' ELSE 'attempt' END AS outcome,
  user_identity_arn,
  json_extract_scalar(request_parameters, '$.userName') AS user_name,
  source_ip_address,
  aws_region,
  recipient_account_id,
  error_code,
  event_id
FROM cloudtrail
WHERE dt BETWEEN ? AND ?
  AND event_source = 'iam.amazonaws.com'
  AND event_name = 'UpdateLoginProfile'
  AND json_extract_scalar(request_parameters, '$.userName') IS NOT NULL
  AND (
    coalesce(user_identity_type, '') <> 'IAMUser'
    OR json_extract_scalar(request_parameters, '$.userName') <> coalesce(user_identity_user_name, '')
  )
  AND coalesce(user_identity_invoked_by, '') <> 'cloudformation.amazonaws.com'
  AND coalesce(user_identity_session_issuer_arn, user_identity_arn, '') NOT LIKE '%/aws-service-role/%'
ORDER BY event_time, event_id
