-- name: DynamoDB table deleted or its deletion protection turned off
-- description: DeleteTable, DeleteBackup, or UpdateTable with deletionProtectionEnabled false: table data or its
--  restore points removed, or the guard against that dropped. Turning protection on and other table updates are not
--  findings; CloudFormation and service-linked roles are left out. Attempts are shown.
-- tables: cloudtrail, detection_allowlist
-- params: from, to
-- severity: high
-- report: security
-- section: Impact
-- schedule: cron(0 6 * * ? *)
-- kind: event
-- tactics: TA0040
-- techniques: T1485, T1490
-- runbook: Check point-in-time recovery and backups for the table; restore it and set deletionProtectionEnabled to
--  true.
-- actor: user_identity_arn
-- target: table_name
-- chart: event_name
SELECT
  event_time,
  event_name,
  CASE WHEN error_code IS NULL THEN 'success' ELSE 'attempt' END AS outcome,
  user_identity_arn,
  user_identity_type,
  coalesce(json_extract_scalar(request_parameters, '$.tableName'), json_extract_scalar(request_parameters, '$.backupArn')) AS table_name,
  source_ip_address,
  aws_region,
  recipient_account_id,
  error_code,
  event_id
FROM cloudtrail
WHERE dt BETWEEN ? AND ?
  AND event_source = 'dynamodb.amazonaws.com'
  AND event_name IN ('DeleteTable', 'DeleteBackup', 'UpdateTable')
  AND (event_name <> 'UpdateTable' OR json_extract_scalar(request_parameters, '$.deletionProtectionEnabled') = 'false')
  AND coalesce(user_identity_invoked_by, '') <> 'cloudformation.amazonaws.com'
  AND coalesce(user_identity_session_issuer_arn, '') NOT LIKE '%:role/aws-service-role/%'
  AND coalesce(user_identity_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
  AND coalesce(user_identity_session_issuer_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
ORDER BY event_time, event_id
