-- name: IAM console password created for another user
-- description: CreateLoginProfile naming a user other than the caller: the caller sets a console password on someone else's
--   account (often a user without console access) and can then sign in as them.
-- tables: cloudtrail
-- params: from, to
-- severity: high
-- report: security
-- section: Persistence
-- schedule: cron(0 6 * * ? *)
-- kind: event
-- tactics: TA0003, TA0004
-- techniques: T1098
-- stratus: aws.persistence.iam-create-user-login-profile
-- runbook: Check that the user asked for console access; if not, delete the login profile (DeleteLoginProfile) and review
--   the user's console sign-ins.
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
  AND event_name = 'CreateLoginProfile'
  AND json_extract_scalar(request_parameters, '$.userName') IS NOT NULL
  AND (
    coalesce(user_identity_type, '') <> 'IAMUser'
    OR json_extract_scalar(request_parameters, '$.userName') <> coalesce(user_identity_user_name, '')
  )
  AND coalesce(user_identity_invoked_by, '') <> 'cloudformation.amazonaws.com'
  AND coalesce(user_identity_session_issuer_arn, user_identity_arn, '') NOT LIKE '%/aws-service-role/%'
ORDER BY event_time, event_id
