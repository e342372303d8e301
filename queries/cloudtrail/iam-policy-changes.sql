-- name: CloudTrail IAM policy changes
-- description: Successful changes to IAM permissions: inline policies put or deleted, managed policies
--   attached, detached, created or deleted, and policy versions created, deleted or made default.
--   Creating a policy version and making it the default is a known privilege-escalation path.
-- tables: cloudtrail
-- params: from, to
-- severity: high
-- report: security
-- section: CloudTrail
-- schedule: cron(0 6 * * ? *)
-- chart: event_name
SELECT
  event_time,
  event_name,
  coalesce(user_identity_arn, user_identity_principal_id, user_identity_type) AS principal,
  coalesce(
    json_extract_scalar(request_parameters, '$.policyArn'),
    json_extract_scalar(request_parameters, '$.policyName')
  ) AS policy,
  coalesce(
    json_extract_scalar(request_parameters, '$.userName'),
    json_extract_scalar(request_parameters, '$.roleName'),
    json_extract_scalar(request_parameters, '$.groupName')
  ) AS target,
  source_ip_address,
  event_id
FROM cloudtrail
WHERE dt BETWEEN ? AND ?
  AND event_source = 'iam.amazonaws.com'
  AND error_code IS NULL
  AND event_name IN (
    'PutUserPolicy', 'PutGroupPolicy', 'PutRolePolicy',
    'DeleteUserPolicy', 'DeleteGroupPolicy', 'DeleteRolePolicy',
    'AttachUserPolicy', 'AttachGroupPolicy', 'AttachRolePolicy',
    'DetachUserPolicy', 'DetachGroupPolicy', 'DetachRolePolicy',
    'CreatePolicy', 'DeletePolicy',
    'CreatePolicyVersion', 'DeletePolicyVersion', 'SetDefaultPolicyVersion'
  )
ORDER BY event_time, event_id
