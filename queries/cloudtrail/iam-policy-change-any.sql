-- name: Any IAM policy change
-- description: Every IAM policy change CIS 4.4 watches, successful or attempted: inline policies put or deleted on a
--   user, group or role, managed policies created or deleted, policy versions created, deleted or made default, and
--   managed policies attached to or detached from a user, group or role. Informational: the admin-equivalent
--   grants among them are also flagged at high severity by cloudtrail/iam-policy-changes. CloudFormation deploys,
--   service-linked roles and approved principals (detections.approvedPrincipals) are left out.
-- tables: cloudtrail, detection_allowlist
-- params: from, to
-- severity: low
-- report: security
-- section: Privilege Escalation
-- schedule: cron(0 6 * * ? *)
-- kind: event
-- tactics: TA0004, TA0003
-- techniques: T1098.003, T1484
-- cis: 4.4
-- runbook: Match the change to a change request; if there is none, restore the previous policy, version or
--   attachment and review what the principal did with the changed permissions.
-- actor: user_identity_arn
-- target: target
-- chart: event_name
SELECT
  event_time,
  event_name,
  CASE WHEN error_code IS NULL THEN 'success' ELSE 'attempt' END AS outcome,
  coalesce(user_identity_arn, user_identity_principal_id, user_identity_type) AS user_identity_arn,
  coalesce(
    json_extract_scalar(request_parameters, '$.policyArn'),
    json_extract_scalar(request_parameters, '$.policyName')
  ) AS policy,
  coalesce(
    json_extract_scalar(request_parameters, '$.userName'),
    json_extract_scalar(request_parameters, '$.roleName'),
    json_extract_scalar(request_parameters, '$.groupName'),
    json_extract_scalar(request_parameters, '$.policyArn'),
    json_extract_scalar(request_parameters, '$.policyName')
  ) AS target,
  source_ip_address,
  aws_region,
  recipient_account_id,
  error_code,
  event_id
FROM cloudtrail
WHERE dt BETWEEN ? AND ?
  AND event_source = 'iam.amazonaws.com'
  AND event_name IN (
    'DeleteGroupPolicy', 'DeleteRolePolicy', 'DeleteUserPolicy',
    'PutGroupPolicy', 'PutRolePolicy', 'PutUserPolicy',
    'CreatePolicy', 'DeletePolicy', 'CreatePolicyVersion', 'DeletePolicyVersion', 'SetDefaultPolicyVersion',
    'AttachRolePolicy', 'DetachRolePolicy', 'AttachUserPolicy', 'DetachUserPolicy',
    'AttachGroupPolicy', 'DetachGroupPolicy'
  )
  AND coalesce(user_identity_invoked_by, '') <> 'cloudformation.amazonaws.com'
  AND coalesce(user_identity_session_issuer_arn, '') NOT LIKE '%:role/aws-service-role/%'
  AND coalesce(user_identity_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
  AND coalesce(user_identity_session_issuer_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
ORDER BY event_time, event_id
