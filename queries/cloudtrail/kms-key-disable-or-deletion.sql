-- name: CloudTrail KMS key disabled or scheduled for deletion
-- description: KMS keys disabled or scheduled for deletion. Data encrypted under a deleted key cannot be
--   recovered, which makes this a ransom and sabotage technique.
-- tables: cloudtrail
-- params: from, to
-- severity: high
-- report: security
-- section: CloudTrail
-- schedule: cron(0 6 * * ? *)
SELECT
  event_time,
  event_name,
  json_extract_scalar(request_parameters, '$.keyId') AS key_id,
  json_extract_scalar(request_parameters, '$.pendingWindowInDays') AS pending_window_days,
  coalesce(user_identity_arn, user_identity_principal_id, user_identity_type) AS principal,
  source_ip_address,
  event_id
FROM cloudtrail
WHERE dt BETWEEN ? AND ?
  AND event_source = 'kms.amazonaws.com'
  AND event_name IN ('DisableKey', 'ScheduleKeyDeletion')
  AND error_code IS NULL
ORDER BY event_time, event_id
