-- name: Load balancer access logging turned off
-- description: ModifyLoadBalancerAttributes setting access_logs.s3.enabled (or connection_logs.s3.enabled) to false
--  on an Application or Network Load Balancer: requests are no longer logged. Enabling logs or changing other
--  attributes is not a finding.
-- tables: cloudtrail, detection_allowlist
-- params: from, to
-- severity: medium
-- report: security
-- section: Defense Evasion
-- schedule: cron(0 6 * * ? *)
-- kind: event
-- tactics: TA0005
-- techniques: T1562.008
-- runbook: Check who turned logging off; set access_logs.s3.enabled back to true with the log bucket.
-- actor: user_identity_arn
-- target: load_balancer
-- chart: event_name
SELECT
  event_time,
  event_name,
  CASE WHEN error_code IS NULL THEN 'success' ELSE 'attempt' END AS outcome,
  user_identity_arn,
  user_identity_type,
  json_extract_scalar(request_parameters, '$.loadBalancerArn') AS load_balancer,
  source_ip_address,
  aws_region,
  recipient_account_id,
  error_code,
  event_id
FROM cloudtrail
WHERE dt BETWEEN ? AND ?
  AND event_source = 'elasticloadbalancing.amazonaws.com'
  AND event_name = 'ModifyLoadBalancerAttributes'
  AND regexp_like(request_parameters, '"key"\s*:\s*"(access_logs|connection_logs)\.s3\.enabled"\s*,\s*"value"\s*:\s*"false"')
  AND coalesce(user_identity_invoked_by, '') <> 'cloudformation.amazonaws.com'
  AND coalesce(user_identity_session_issuer_arn, '') NOT LIKE '%:role/aws-service-role/%'
  AND coalesce(user_identity_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
  AND coalesce(user_identity_session_issuer_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
ORDER BY event_time, event_id
