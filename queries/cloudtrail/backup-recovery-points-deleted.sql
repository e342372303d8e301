-- name: AWS Backup recovery points deleted or set to expire
-- description: DeleteRecoveryPoint, or UpdateRecoveryPointLifecycle with deleteAfterDays 7 or fewer: backups removed
--  or made to expire within a week, which ransomware does before encrypting. Longer lifecycles are not findings.
-- tables: cloudtrail, detection_allowlist
-- params: from, to
-- severity: high
-- report: security
-- section: Impact
-- schedule: cron(0 6 * * ? *)
-- kind: event
-- tactics: TA0040
-- techniques: T1490
-- runbook: Check which resources lost recovery points; lock the vault (PutBackupVaultLockConfiguration) and take
--  fresh backups.
-- actor: user_identity_arn
-- target: backup_vault, recovery_point
-- chart: event_name
SELECT
  event_time,
  event_name,
  CASE WHEN error_code IS NULL THEN 'success' ELSE 'attempt' END AS outcome,
  user_identity_arn,
  user_identity_type,
  json_extract_scalar(request_parameters, '$.backupVaultName') AS backup_vault,
  json_extract_scalar(request_parameters, '$.recoveryPointArn') AS recovery_point,
  source_ip_address,
  aws_region,
  recipient_account_id,
  error_code,
  event_id
FROM cloudtrail
WHERE dt BETWEEN ? AND ?
  AND event_source = 'backup.amazonaws.com'
  AND event_name IN ('DeleteRecoveryPoint', 'UpdateRecoveryPointLifecycle')
  AND (event_name = 'DeleteRecoveryPoint' OR try_cast(json_extract_scalar(request_parameters, '$.lifecycle.deleteAfterDays') AS integer) <= 7)
  AND coalesce(user_identity_invoked_by, '') <> 'cloudformation.amazonaws.com'
  AND coalesce(user_identity_session_issuer_arn, '') NOT LIKE '%:role/aws-service-role/%'
  AND coalesce(user_identity_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
  AND coalesce(user_identity_session_issuer_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
ORDER BY event_time, event_id
