-- name: RDS deletion protection turned off
-- description: ModifyDBInstance or ModifyDBCluster with deletionProtection false: the usual first step before
--  deleting a database. Turning protection on, or modifications that leave it alone, are not findings. Attempts are
--  shown.
-- tables: cloudtrail, detection_allowlist
-- params: from, to
-- severity: high
-- report: security
-- section: Impact
-- schedule: cron(0 6 * * ? *)
-- kind: event
-- tactics: TA0040
-- techniques: T1485, T1490
-- runbook: Check who turned protection off and whether a delete followed; set deletionProtection back to true.
-- actor: user_identity_arn
-- target: db_identifier
-- chart: event_name
SELECT
  event_time,
  event_name,
  CASE WHEN error_code IS NULL THEN 'success' ELSE 'attempt' END AS outcome,
  user_identity_arn,
  user_identity_type,
  coalesce(json_extract_scalar(request_parameters, '$.dBInstanceIdentifier'), json_extract_scalar(request_parameters, '$.dBClusterIdentifier')) AS db_identifier,
  source_ip_address,
  aws_region,
  recipient_account_id,
  error_code,
  event_id
FROM cloudtrail
WHERE dt BETWEEN ? AND ?
  AND event_source = 'rds.amazonaws.com'
  AND event_name IN ('ModifyDBInstance', 'ModifyDBCluster')
  AND json_extract_scalar(request_parameters, '$.deletionProtection') = 'false'
  AND coalesce(user_identity_invoked_by, '') <> 'cloudformation.amazonaws.com'
  AND coalesce(user_identity_session_issuer_arn, '') NOT LIKE '%:role/aws-service-role/%'
  AND coalesce(user_identity_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
  AND coalesce(user_identity_session_issuer_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
ORDER BY event_time, event_id
