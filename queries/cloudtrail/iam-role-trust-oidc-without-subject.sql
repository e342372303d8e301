-- name: IAM role trusting an OIDC provider for any subject
-- description: CreateRole or UpdateAssumeRolePolicy with an Allow statement for a federated OIDC provider (GitHub Actions,
--   GitLab, Terraform Cloud, an EKS cluster) that has no condition on the token's subject ("...:sub"): any
--   repository, project or service account that can get a token from that issuer can assume the role.
-- tables: cloudtrail
-- params: from, to
-- severity: high
-- report: security
-- section: Persistence
-- schedule: cron(0 6 * * ? *)
-- kind: event
-- tactics: TA0003, TA0004
-- techniques: T1098.003, T1078.004
-- alert: true
-- runbook: Add a StringEquals or StringLike condition on the provider's :sub claim naming the allowed repository or
--   service account, and review AssumeRoleWithWebIdentity calls on the role.
-- actor: user_identity_arn
-- target: role_name
-- chart: event_name
SELECT
  event_time,
  event_name,
  CASE WHEN error_code IS NULL THEN 'success' ELSE 'attempt' END AS outcome,
  user_identity_arn,
  json_extract_scalar(request_parameters, '$.roleName') AS role_name,
  source_ip_address,
  aws_region,
  recipient_account_id,
  error_code,
  event_id
FROM cloudtrail
WHERE dt BETWEEN ? AND ?
  AND event_source = 'iam.amazonaws.com'
  AND event_name IN ('CreateRole', 'UpdateAssumeRolePolicy')
  AND EXISTS (
    SELECT 1
    FROM UNNEST(regexp_extract_all(regexp_extract(coalesce(json_extract_scalar(request_parameters, '$.assumeRolePolicyDocument'), json_extract_scalar(request_parameters, '$.policyDocument')), '"Statement"\s*:\s*(\[[\s\S]*\]|\{[\s\S]*\})', 1), '\{(?:[^{}]|\{(?:[^{}]|\{[^{}]*\})*\})*\}')) AS s (statement)
    WHERE regexp_like(statement, '"Effect"\s*:\s*"Allow"')
      AND regexp_like(statement, '"Federated"\s*:\s*"arn:aws:iam::\d{12}:oidc-provider/')
      AND NOT regexp_like(statement, ':sub"')
  )
ORDER BY event_time, event_id
