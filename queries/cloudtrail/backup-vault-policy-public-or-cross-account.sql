-- name: Backup vault access policy made public or shared with an outside account
-- description: PutBackupVaultAccessPolicy whose policy has an Allow statement for everyone ("*" or {"AWS":"*"}) without a
--   condition that restricts the caller (source ARN or account, organization, VPC endpoint, IP), or that names an
--   account other than this one and those approved for sharing.
-- tables: cloudtrail, detection_allowlist
-- params: from, to
-- severity: high
-- report: security
-- section: Exfiltration
-- schedule: cron(0 6 * * ? *)
-- kind: event
-- tactics: TA0010, TA0003
-- techniques: T1537, T1098
-- alert: true
-- runbook: Check who may now copy or restore recovery points; restore the previous vault policy unless the account is
--   known.
-- actor: user_identity_arn
-- target: backup_vault_name
-- chart: event_name
SELECT
  event_time,
  event_name,
  CASE WHEN error_code IS NULL THEN 'success' ELSE 'attempt' END AS outcome,
  user_identity_arn,
  json_extract_scalar(request_parameters, '$.backupVaultName') AS backup_vault_name,
  source_ip_address,
  aws_region,
  recipient_account_id,
  error_code,
  event_id
FROM cloudtrail
WHERE dt BETWEEN ? AND ?
  AND event_source = 'backup.amazonaws.com'
  AND event_name IN ('PutBackupVaultAccessPolicy')
  AND EXISTS (
    SELECT 1
    FROM UNNEST(regexp_extract_all(regexp_extract(json_extract_scalar(request_parameters, '$.policy'), '"Statement"\s*:\s*(\[[\s\S]*\]|\{[\s\S]*\})', 1), '\{(?:[^{}]|\{(?:[^{}]|\{[^{}]*\})*\})*\}')) AS s (statement)
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
