-- name: GuardDuty detector deleted, suspended or its protections turned off
-- description: GuardDuty blinded in a region: DeleteDetector, UpdateDetector with enable false, or UpdateDetector
--  turning a protection feature (S3, EKS, RDS, Lambda, malware, runtime monitoring) to DISABLED. Changing only the
--  publishing frequency or enabling features is not a finding. Attempts are shown.
-- tables: cloudtrail, detection_allowlist
-- params: from, to
-- severity: high
-- report: security
-- section: Defense Evasion
-- schedule: cron(0 6 * * ? *)
-- kind: event
-- tactics: TA0005
-- techniques: T1562.001
-- runbook: Find who turned GuardDuty off and what they did next; re-enable the detector and features (UpdateDetector
--  enable=true).
-- actor: user_identity_arn
-- target: detector_id
-- chart: event_name
SELECT
  event_time,
  event_name,
  CASE WHEN error_code IS NULL THEN 'success' ELSE 'attempt' END AS outcome,
  user_identity_arn,
  user_identity_type,
  json_extract_scalar(request_parameters, '$.detectorId') AS detector_id,
  source_ip_address,
  aws_region,
  recipient_account_id,
  error_code,
  event_id
FROM cloudtrail
WHERE dt BETWEEN ? AND ?
  AND event_source = 'guardduty.amazonaws.com'
  AND event_name IN ('DeleteDetector', 'UpdateDetector')
  AND (event_name = 'DeleteDetector' OR regexp_like(request_parameters, '(?i)"(status"\s*:\s*"disabled"|enable"\s*:\s*false)'))
  AND coalesce(user_identity_invoked_by, '') <> 'cloudformation.amazonaws.com'
  AND coalesce(user_identity_session_issuer_arn, '') NOT LIKE '%:role/aws-service-role/%'
  AND coalesce(user_identity_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
  AND coalesce(user_identity_session_issuer_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
ORDER BY event_time, event_id
