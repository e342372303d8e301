-- name: GuardDuty trusted IP list added or threat list removed
-- description: Trusted IP lists created, updated or activated (GuardDuty raises no findings for traffic from them)
--  and threat intelligence lists deleted or deactivated. Adding or activating a threat list only sharpens detection
--  and is not a finding.
-- tables: cloudtrail, detection_allowlist
-- params: from, to
-- severity: high
-- report: security
-- section: Defense Evasion
-- schedule: cron(0 6 * * ? *)
-- kind: event
-- tactics: TA0005
-- techniques: T1562.001
-- runbook: Read the list's location and its addresses; delete a trusted list that was not planned and restore the
--  threat list.
-- actor: user_identity_arn
-- target: ip_list
-- chart: event_name
SELECT
  event_time,
  event_name,
  CASE WHEN error_code IS NULL THEN 'success' ELSE 'attempt' END AS outcome,
  user_identity_arn,
  user_identity_type,
  coalesce(json_extract_scalar(request_parameters, '$.name'), json_extract_scalar(request_parameters, '$.ipSetId'), json_extract_scalar(request_parameters, '$.threatIntelSetId')) AS ip_list,
  json_extract_scalar(request_parameters, '$.location') AS location,
  source_ip_address,
  aws_region,
  recipient_account_id,
  error_code,
  event_id
FROM cloudtrail
WHERE dt BETWEEN ? AND ?
  AND event_source = 'guardduty.amazonaws.com'
  AND event_name IN ('CreateIPSet', 'UpdateIPSet', 'DeleteThreatIntelSet', 'UpdateThreatIntelSet')
  AND (event_name IN ('CreateIPSet', 'UpdateIPSet', 'DeleteThreatIntelSet') OR json_extract_scalar(request_parameters, '$.activate') = 'false')
  AND coalesce(user_identity_invoked_by, '') <> 'cloudformation.amazonaws.com'
  AND coalesce(user_identity_session_issuer_arn, '') NOT LIKE '%:role/aws-service-role/%'
  AND coalesce(user_identity_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
  AND coalesce(user_identity_session_issuer_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
ORDER BY event_time, event_id
