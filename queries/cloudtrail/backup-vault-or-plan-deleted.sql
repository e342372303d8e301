-- name: AWS Backup vaults, plans, selections or vault locks removed
-- description: DeleteBackupVault, DeleteBackupPlan, DeleteBackupSelection, DeleteBackupVaultLockConfiguration or
--  DeleteBackupVaultAccessPolicy: future backups stop or existing ones lose their protection against deletion.
--  Creating plans or locking vaults is not a finding.
-- tables: cloudtrail, detection_allowlist
-- params: from, to
-- severity: high
-- report: security
-- section: Impact
-- schedule: cron(0 6 * * ? *)
-- kind: event
-- tactics: TA0040
-- techniques: T1490
-- runbook: Check which resources are no longer backed up; recreate the plan or selection and the vault lock and
--  access policy.
-- actor: user_identity_arn
-- target: backup_resource
-- chart: event_name
SELECT
  event_time,
  event_name,
  CASE WHEN error_code IS NULL THEN 'success' ELSE 'attempt' END AS outcome,
  user_identity_arn,
  user_identity_type,
  coalesce(json_extract_scalar(request_parameters, '$.backupVaultName'), json_extract_scalar(request_parameters, '$.backupPlanId')) AS backup_resource,
  source_ip_address,
  aws_region,
  recipient_account_id,
  error_code,
  event_id
FROM cloudtrail
WHERE dt BETWEEN ? AND ?
  AND event_source = 'backup.amazonaws.com'
  AND event_name IN ('DeleteBackupVault', 'DeleteBackupPlan', 'DeleteBackupSelection', 'DeleteBackupVaultLockConfiguration', 'DeleteBackupVaultAccessPolicy')
  AND coalesce(user_identity_invoked_by, '') <> 'cloudformation.amazonaws.com'
  AND coalesce(user_identity_session_issuer_arn, '') NOT LIKE '%:role/aws-service-role/%'
  AND coalesce(user_identity_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
  AND coalesce(user_identity_session_issuer_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
ORDER BY event_time, event_id
