-- name: IAM Access Analyzer deleted or archive rule added
-- description: DeleteAnalyzer, or an archive rule created or updated (matching external-access findings are archived
--  automatically): resources shared outside the account stop being reported. Creating an analyzer or deleting an
--  archive rule widens what is reported and is not a finding.
-- tables: cloudtrail, detection_allowlist
-- params: from, to
-- severity: medium
-- report: security
-- section: Defense Evasion
-- schedule: cron(0 6 * * ? *)
-- kind: event
-- tactics: TA0005
-- techniques: T1562.001
-- runbook: Read the archive rule's filter for what it hides; delete it (DeleteArchiveRule) or recreate the analyzer.
-- actor: user_identity_arn
-- target: analyzer_name
-- chart: event_name
SELECT
  event_time,
  event_name,
  CASE WHEN error_code IS NULL THEN 'success' ELSE 'attempt' END AS outcome,
  user_identity_arn,
  user_identity_type,
  json_extract_scalar(request_parameters, '$.analyzerName') AS analyzer_name,
  json_extract_scalar(request_parameters, '$.ruleName') AS rule_name,
  source_ip_address,
  aws_region,
  recipient_account_id,
  error_code,
  event_id
FROM cloudtrail
WHERE dt BETWEEN ? AND ?
  AND event_source = 'access-analyzer.amazonaws.com'
  AND event_name IN ('DeleteAnalyzer', 'CreateArchiveRule', 'UpdateArchiveRule')
  AND coalesce(user_identity_invoked_by, '') <> 'cloudformation.amazonaws.com'
  AND coalesce(user_identity_session_issuer_arn, '') NOT LIKE '%:role/aws-service-role/%'
  AND coalesce(user_identity_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
  AND coalesce(user_identity_session_issuer_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
ORDER BY event_time, event_id
