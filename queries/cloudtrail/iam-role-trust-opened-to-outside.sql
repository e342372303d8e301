-- name: IAM role trust policy opened to everyone or an outside account
-- description: CreateRole or UpdateAssumeRolePolicy whose trust policy lets everyone ("*") assume the role without a
--   restricting condition, or names an account other than this one and those approved for sharing: a backdoor that
--   survives key rotation.
-- tables: cloudtrail, detection_allowlist
-- params: from, to
-- severity: high
-- report: security
-- section: Persistence
-- schedule: cron(0 6 * * ? *)
-- kind: event
-- tactics: TA0003, TA0004
-- techniques: T1098.003, T1078.004
-- stratus: aws.persistence.iam-backdoor-role, aws.persistence.iam-create-backdoor-role
-- alert: true
-- runbook: Check who changed the trust policy and whether the new principal is known; restore the previous policy and
--   review AssumeRole calls on the role.
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
      AND (
        (
          regexp_like(statement, '"(Principal"\s*:\s*("\*"|\{[^{}]*"(AWS|CanonicalUser)"\s*:\s*("\*"|\[[^\]]*"\*"))|NotPrincipal")')
          AND NOT regexp_like(statement, '(?i)"(aws:(SourceArn|SourceAccount|SourceOwner|SourceVpce|SourceVpc|SourceIp|PrincipalOrgID|PrincipalOrgPaths|PrincipalAccount|PrincipalArn|PrincipalServiceName|userid|ResourceOrgID|ResourceAccount)|kms:(CallerAccount|ViaService)|lambda:SourceFunctionArn|elasticfilesystem:AccessPointArn|s3:DataAccessPointAccount)"')
        )
        OR EXISTS (
          SELECT 1
          FROM UNNEST(regexp_extract_all(regexp_extract(statement, '"Principal"\s*:\s*(\{[^{}]*\}|"[^"]*")', 1), '\b(\d{12})\b', 1)) AS a (account_id)
          WHERE account_id <> recipient_account_id
            AND account_id NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'account')
        )
      )
  )
ORDER BY event_time, event_id
