-- name: AWS Config rules, conformance packs or remediations deleted
-- description: Config rules, conformance packs (account or organization) and remediation configurations deleted: the
--  checks that would report a misconfiguration stop running. Creating or updating a rule is not a finding.
-- tables: cloudtrail, detection_allowlist
-- params: from, to
-- severity: medium
-- report: security
-- section: Defense Evasion
-- schedule: cron(0 6 * * ? *)
-- kind: event
-- tactics: TA0005
-- techniques: T1562.001
-- runbook: Check which rule was removed and whether it guarded something since changed; redeploy the rule or pack.
-- actor: user_identity_arn
-- target: config_rule
-- chart: event_name
SELECT
  event_time,
  event_name,
  CASE WHEN error_code IS NULL THEN 'success' ELSE 'attempt' END AS outcome,
  user_identity_arn,
  user_identity_type,
  coalesce(json_extract_scalar(request_parameters, '$.configRuleName'), json_extract_scalar(request_parameters, '$.organizationConfigRuleName'), json_extract_scalar(request_parameters, '$.conformancePackName'), json_extract_scalar(request_parameters, '$.organizationConformancePackName')) AS config_rule,
  source_ip_address,
  aws_region,
  recipient_account_id,
  error_code,
  event_id
FROM cloudtrail
WHERE dt BETWEEN ? AND ?
  AND event_source = 'config.amazonaws.com'
  AND event_name IN ('DeleteConfigRule', 'DeleteOrganizationConfigRule', 'DeleteConformancePack', 'DeleteOrganizationConformancePack', 'DeleteRemediationConfiguration')
  AND coalesce(user_identity_invoked_by, '') <> 'cloudformation.amazonaws.com'
  AND coalesce(user_identity_session_issuer_arn, '') NOT LIKE '%:role/aws-service-role/%'
  AND coalesce(user_identity_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
  AND coalesce(user_identity_session_issuer_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
ORDER BY event_time, event_id
