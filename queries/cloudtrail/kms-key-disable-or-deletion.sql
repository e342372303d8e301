-- name: CloudTrail KMS key disabled or scheduled for deletion
-- description: KMS keys disabled or scheduled for deletion, successful or attempted. Data encrypted under a deleted
--   key cannot be recovered, which makes this a ransom and sabotage technique.
-- tables: cloudtrail
-- params: from, to
-- severity: high
-- report: security
-- section: Impact
-- schedule: cron(0 6 * * ? *)
-- kind: event
-- tactics: TA0040
-- techniques: T1485, T1486
-- cis: 4.7
-- runbook: Confirm the change with the key's owner; cancel the deletion (CancelKeyDeletion) or re-enable the key
--   (EnableKey) before the pending window ends.
-- actor: user_identity_arn
-- target: key_id
SELECT
  event_time,
  event_name,
  CASE WHEN error_code IS NULL THEN 'success' ELSE 'attempt' END AS outcome,
  json_extract_scalar(request_parameters, '$.keyId') AS key_id,
  json_extract_scalar(request_parameters, '$.pendingWindowInDays') AS pending_window_days,
  coalesce(user_identity_arn, user_identity_principal_id, user_identity_type) AS user_identity_arn,
  source_ip_address,
  aws_region,
  recipient_account_id,
  error_code,
  event_id
FROM cloudtrail
WHERE dt BETWEEN ? AND ?
  AND event_source = 'kms.amazonaws.com'
  AND event_name IN ('DisableKey', 'ScheduleKeyDeletion')
  AND coalesce(user_identity_invoked_by, '') <> 'cloudformation.amazonaws.com'
ORDER BY event_time, event_id
