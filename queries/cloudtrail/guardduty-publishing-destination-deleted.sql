-- name: GuardDuty findings export removed
-- description: DeletePublishingDestination: GuardDuty stops exporting findings to the S3 bucket the security team
--  keeps them in. Creating or updating a destination is not a finding.
-- tables: cloudtrail, detection_allowlist
-- params: from, to
-- severity: medium
-- report: security
-- section: Defense Evasion
-- schedule: cron(0 6 * * ? *)
-- kind: event
-- tactics: TA0005
-- techniques: T1562.001
-- runbook: Check who removed the export; recreate the destination (CreatePublishingDestination) with the same bucket
--  and key.
-- actor: user_identity_arn
-- target: destination_id
-- chart: event_name
SELECT
  event_time,
  event_name,
  CASE WHEN error_code IS NULL THEN 'success' ELSE 'attempt' END AS outcome,
  user_identity_arn,
  user_identity_type,
  json_extract_scalar(request_parameters, '$.destinationId') AS destination_id,
  source_ip_address,
  aws_region,
  recipient_account_id,
  error_code,
  event_id
FROM cloudtrail
WHERE dt BETWEEN ? AND ?
  AND event_source = 'guardduty.amazonaws.com'
  AND event_name = 'DeletePublishingDestination'
  AND coalesce(user_identity_invoked_by, '') <> 'cloudformation.amazonaws.com'
  AND coalesce(user_identity_session_issuer_arn, '') NOT LIKE '%:role/aws-service-role/%'
  AND coalesce(user_identity_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
  AND coalesce(user_identity_session_issuer_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
ORDER BY event_time, event_id
