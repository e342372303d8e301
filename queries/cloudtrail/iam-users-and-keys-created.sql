-- name: CloudTrail IAM users, login profiles and access keys created
-- description: IAM users, console passwords (login profiles) and access keys created, or a password set for
--   another user. An attacker with IAM rights creates these to keep access after the first foothold is closed.
--   A user changing their own password, and changes CloudFormation makes, are left out.
-- tables: cloudtrail
-- params: from, to
-- severity: medium
-- report: security
-- section: Persistence
-- schedule: cron(0 6 * * ? *)
-- kind: event
-- tactics: TA0003
-- techniques: T1136.003, T1098.001
-- stratus: aws.persistence.iam-backdoor-user, aws.persistence.iam-create-user-login-profile,
--   aws.privilege-escalation.iam-update-user-login-profile
-- runbook: Confirm the new user, password or key with its owner; otherwise deactivate and delete the key or login
--   profile and the user, and check what the key was used for.
-- actor: user_identity_arn
-- target: target_user
SELECT
  event_time,
  event_name,
  CASE WHEN error_code IS NULL THEN 'success' ELSE 'attempt' END AS outcome,
  coalesce(user_identity_arn, user_identity_principal_id, user_identity_type) AS user_identity_arn,
  coalesce(
    json_extract_scalar(request_parameters, '$.userName'),
    json_extract_scalar(response_elements, '$.accessKey.userName'),
    json_extract_scalar(response_elements, '$.user.userName'),
    user_identity_user_name
  ) AS target_user,
  json_extract_scalar(response_elements, '$.accessKey.accessKeyId') AS access_key_id,
  source_ip_address,
  aws_region,
  recipient_account_id,
  error_code,
  event_id
FROM cloudtrail
WHERE dt BETWEEN ? AND ?
  AND event_source = 'iam.amazonaws.com'
  AND event_name IN ('CreateUser', 'CreateLoginProfile', 'UpdateLoginProfile', 'CreateAccessKey')
  AND coalesce(user_identity_invoked_by, '') <> 'cloudformation.amazonaws.com'
  AND NOT (
    event_name = 'UpdateLoginProfile'
    AND user_identity_type = 'IAMUser'
    AND json_extract_scalar(request_parameters, '$.userName') = user_identity_user_name
  )
ORDER BY event_time, event_id
