-- name: CloudTrail Insights turned off
-- description: PutInsightSelectors with an empty selector list: CloudTrail stops reporting unusual API call and error
--  rates for the trail. Adding an insight type is not a finding.
-- tables: cloudtrail, detection_allowlist
-- params: from, to
-- severity: medium
-- report: security
-- section: Defense Evasion
-- schedule: cron(0 6 * * ? *)
-- kind: event
-- tactics: TA0005
-- techniques: T1562.008
-- runbook: Check who turned Insights off; restore ApiCallRateInsight and ApiErrorRateInsight (PutInsightSelectors).
-- actor: user_identity_arn
-- target: trail
-- chart: event_name
SELECT
  event_time,
  event_name,
  CASE WHEN error_code IS NULL THEN 'success' ELSE 'attempt' END AS outcome,
  user_identity_arn,
  user_identity_type,
  json_extract_scalar(request_parameters, '$.trailName') AS trail,
  source_ip_address,
  aws_region,
  recipient_account_id,
  error_code,
  event_id
FROM cloudtrail
WHERE dt BETWEEN ? AND ?
  AND event_source = 'cloudtrail.amazonaws.com'
  AND event_name = 'PutInsightSelectors'
  AND coalesce(json_array_length(json_extract(request_parameters, '$.insightSelectors')), 0) = 0
  AND coalesce(user_identity_invoked_by, '') <> 'cloudformation.amazonaws.com'
  AND coalesce(user_identity_session_issuer_arn, '') NOT LIKE '%:role/aws-service-role/%'
  AND coalesce(user_identity_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
  AND coalesce(user_identity_session_issuer_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
ORDER BY event_time, event_id
