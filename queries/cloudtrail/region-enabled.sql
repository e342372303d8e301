-- name: Opt-in AWS region enabled
-- description: Account EnableRegion for a region not on the expected list (detection_allowlist kind region):
--  attackers enable unused regions to run resources where nobody looks. Disabling a region and reads of the opt-in
--  status are not findings. Attempts are shown.
-- tables: cloudtrail, detection_allowlist
-- params: from, to
-- severity: medium
-- report: security
-- section: Defense Evasion
-- schedule: cron(0 6 * * ? *)
-- kind: event
-- tactics: TA0005
-- techniques: T1535
-- runbook: Confirm the region is needed; if not, disable it (DisableRegion) after checking for resources launched
--  there.
-- actor: user_identity_arn
-- target: region_name
-- chart: event_name
SELECT
  event_time,
  event_name,
  CASE WHEN error_code IS NULL THEN 'success' ELSE 'attempt' END AS outcome,
  user_identity_arn,
  user_identity_type,
  coalesce(json_extract_scalar(request_parameters, '$.RegionName'), json_extract_scalar(request_parameters, '$.regionName')) AS region_name,
  source_ip_address,
  aws_region,
  recipient_account_id,
  error_code,
  event_id
FROM cloudtrail
WHERE dt BETWEEN ? AND ?
  AND event_source = 'account.amazonaws.com'
  AND event_name = 'EnableRegion'
  AND coalesce(json_extract_scalar(request_parameters, '$.RegionName'), json_extract_scalar(request_parameters, '$.regionName'), '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'region')
  AND coalesce(user_identity_invoked_by, '') <> 'cloudformation.amazonaws.com'
  AND coalesce(user_identity_session_issuer_arn, '') NOT LIKE '%:role/aws-service-role/%'
  AND coalesce(user_identity_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
  AND coalesce(user_identity_session_issuer_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
ORDER BY event_time, event_id
