-- name: Amazon Inspector scanning disabled
-- description: Inspector2 Disable for EC2, ECR or Lambda scanning, or the delegated administrator removed:
--  vulnerability findings stop. Enabling scanning is not a finding.
-- tables: cloudtrail, detection_allowlist
-- params: from, to
-- severity: medium
-- report: security
-- section: Defense Evasion
-- schedule: cron(0 6 * * ? *)
-- kind: event
-- tactics: TA0005
-- techniques: T1562.001
-- runbook: Check which resource types lost scanning; re-enable them (inspector2 Enable).
-- actor: user_identity_arn
-- target: resource_types
-- chart: event_name
SELECT
  event_time,
  event_name,
  CASE WHEN error_code IS NULL THEN 'success' ELSE 'attempt' END AS outcome,
  user_identity_arn,
  user_identity_type,
  coalesce(json_extract_scalar(request_parameters, '$.resourceTypes[0]'), json_extract_scalar(request_parameters, '$.delegatedAdminAccountId'), json_extract_scalar(request_parameters, '$.accountId')) AS resource_types,
  source_ip_address,
  aws_region,
  recipient_account_id,
  error_code,
  event_id
FROM cloudtrail
WHERE dt BETWEEN ? AND ?
  AND event_source = 'inspector2.amazonaws.com'
  AND event_name IN ('Disable', 'DisableDelegatedAdminAccount', 'DisassociateMember')
  AND coalesce(user_identity_invoked_by, '') <> 'cloudformation.amazonaws.com'
  AND coalesce(user_identity_session_issuer_arn, '') NOT LIKE '%:role/aws-service-role/%'
  AND coalesce(user_identity_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
  AND coalesce(user_identity_session_issuer_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
ORDER BY event_time, event_id
