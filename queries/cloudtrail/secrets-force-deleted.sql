-- name: Secrets Manager secret deleted without a recovery window
-- description: DeleteSecret with forceDeleteWithoutRecovery true: the secret is gone at once and cannot be restored
--  (RestoreSecret works only during a recovery window). Deletions with a recovery window are not findings.
-- tables: cloudtrail, detection_allowlist
-- params: from, to
-- severity: high
-- report: security
-- section: Impact
-- schedule: cron(0 6 * * ? *)
-- kind: event
-- tactics: TA0040
-- techniques: T1485
-- runbook: Find what used the secret and rotate or recreate it; check who had secretsmanager:DeleteSecret.
-- actor: user_identity_arn
-- target: secret_id
-- chart: event_name
SELECT
  event_time,
  event_name,
  CASE WHEN error_code IS NULL THEN 'success' ELSE 'attempt' END AS outcome,
  user_identity_arn,
  user_identity_type,
  json_extract_scalar(request_parameters, '$.secretId') AS secret_id,
  source_ip_address,
  aws_region,
  recipient_account_id,
  error_code,
  event_id
FROM cloudtrail
WHERE dt BETWEEN ? AND ?
  AND event_source = 'secretsmanager.amazonaws.com'
  AND event_name = 'DeleteSecret'
  AND json_extract_scalar(request_parameters, '$.forceDeleteWithoutRecovery') = 'true'
  AND coalesce(user_identity_invoked_by, '') <> 'cloudformation.amazonaws.com'
  AND coalesce(user_identity_session_issuer_arn, '') NOT LIKE '%:role/aws-service-role/%'
  AND coalesce(user_identity_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
  AND coalesce(user_identity_session_issuer_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
ORDER BY event_time, event_id
