-- name: CloudTrail IAM policy changes
-- description: IAM permissions made admin-equivalent, successful or attempted: AdministratorAccess or IAMFullAccess
--   attached to a user, group or role, or an inline policy, new policy or policy version whose statement allows
--   Action "*" or "iam:*" on Resource "*" without a condition. Creating a policy version is a known
--   privilege-escalation path. Narrower grants, detaches and deletions are left out, as are changes CloudFormation
--   makes and approved principals (detections.approvedPrincipals). Every IAM policy change, as CIS 4.4 lists them, is
--   flagged at low severity by cloudtrail/iam-policy-change-any.
-- tables: cloudtrail, detection_allowlist
-- params: from, to
-- severity: high
-- report: security
-- section: Privilege Escalation
-- schedule: cron(0 6 * * ? *)
-- kind: event
-- tactics: TA0004, TA0003
-- techniques: T1098.003, T1484
-- stratus: aws.persistence.iam-create-admin-user
-- alert: true
-- runbook: Confirm the grant with the actor's team; detach the policy or delete the inline policy or version, and
--   review what the principal did with admin rights.
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
  AND coalesce(user_identity_invoked_by, '') <> 'cloudformation.amazonaws.com'
  AND coalesce(user_identity_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
  AND (
    (
      event_name IN ('AttachUserPolicy', 'AttachGroupPolicy', 'AttachRolePolicy')
      AND regexp_like(
        coalesce(json_extract_scalar(request_parameters, '$.policyArn'), ''),
        '^arn:aws[a-z-]*:iam::aws:policy/(AdministratorAccess|IAMFullAccess)$'
      )
    )
    OR (
      event_name IN ('PutUserPolicy', 'PutGroupPolicy', 'PutRolePolicy', 'CreatePolicy', 'CreatePolicyVersion')
      -- Innermost {…} blocks are the statements; one with a Condition block nested in it is not matched.
      AND array_min(
        filter(
          regexp_extract_all(coalesce(json_extract_scalar(request_parameters, '$.policyDocument'), ''), '\{[^{}]*\}'),
          s -> regexp_like(s, '"Effect"\s*:\s*"Allow"')
            AND regexp_like(s, '"Action"\s*:\s*(\[[^\]]*)?"(\*|iam:\*)"')
            AND regexp_like(s, '"Resource"\s*:\s*(\[[^\]]*)?"\*"')
        )
      ) IS NOT NULL
    )
  )
ORDER BY event_time, event_id
