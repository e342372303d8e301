-- name: CloudFront standard logging turned off
-- description: UpdateDistribution whose distribution config has logging enabled false: the distribution stops writing
--  the access logs this lake reads. Updates that keep logging on are not findings.
-- tables: cloudtrail, detection_allowlist
-- params: from, to
-- severity: medium
-- report: security
-- section: Defense Evasion
-- schedule: cron(0 6 * * ? *)
-- kind: event
-- tactics: TA0005
-- techniques: T1562.008
-- runbook: Check who changed the distribution; turn logging back on (UpdateDistribution with the previous logging
--  bucket).
-- actor: user_identity_arn
-- target: distribution_id
-- chart: event_name
SELECT
  event_time,
  event_name,
  CASE WHEN error_code IS NULL THEN 'success' ELSE 'attempt' END AS outcome,
  user_identity_arn,
  user_identity_type,
  json_extract_scalar(request_parameters, '$.id') AS distribution_id,
  source_ip_address,
  aws_region,
  recipient_account_id,
  error_code,
  event_id
FROM cloudtrail
WHERE dt BETWEEN ? AND ?
  AND event_source = 'cloudfront.amazonaws.com'
  AND event_name = 'UpdateDistribution'
  AND json_extract_scalar(request_parameters, '$.distributionConfig.logging.enabled') = 'false'
  AND coalesce(user_identity_invoked_by, '') <> 'cloudformation.amazonaws.com'
  AND coalesce(user_identity_session_issuer_arn, '') NOT LIKE '%:role/aws-service-role/%'
  AND coalesce(user_identity_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
  AND coalesce(user_identity_session_issuer_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
ORDER BY event_time, event_id
