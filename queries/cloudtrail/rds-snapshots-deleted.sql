-- name: RDS snapshots or automated backups deleted
-- description: DeleteDBSnapshot, DeleteDBClusterSnapshot and deletion of retained automated backups: restore points
--  removed, often before or after the database itself. Creating or copying snapshots is not a finding; CloudFormation
--  and service-linked roles are left out. Attempts are shown.
-- tables: cloudtrail, detection_allowlist
-- params: from, to
-- severity: high
-- report: security
-- section: Impact
-- schedule: cron(0 6 * * ? *)
-- kind: event
-- tactics: TA0040
-- techniques: T1490
-- runbook: Check what restore points remain for the database; find who deleted them and protect the rest (AWS Backup
--  vault lock).
-- actor: user_identity_arn
-- target: snapshot
-- chart: event_name
SELECT
  event_time,
  event_name,
  CASE WHEN error_code IS NULL THEN 'success' ELSE 'attempt' END AS outcome,
  user_identity_arn,
  user_identity_type,
  coalesce(json_extract_scalar(request_parameters, '$.dBSnapshotIdentifier'), json_extract_scalar(request_parameters, '$.dBClusterSnapshotIdentifier'), json_extract_scalar(request_parameters, '$.dbiResourceId'), json_extract_scalar(request_parameters, '$.dbClusterResourceId')) AS snapshot,
  source_ip_address,
  aws_region,
  recipient_account_id,
  error_code,
  event_id
FROM cloudtrail
WHERE dt BETWEEN ? AND ?
  AND event_source = 'rds.amazonaws.com'
  AND event_name IN ('DeleteDBSnapshot', 'DeleteDBClusterSnapshot', 'DeleteDBInstanceAutomatedBackup', 'DeleteDBClusterAutomatedBackup')
  AND coalesce(user_identity_invoked_by, '') <> 'cloudformation.amazonaws.com'
  AND coalesce(user_identity_session_issuer_arn, '') NOT LIKE '%:role/aws-service-role/%'
  AND coalesce(user_identity_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
  AND coalesce(user_identity_session_issuer_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
ORDER BY event_time, event_id
