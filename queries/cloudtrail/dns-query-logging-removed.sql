-- name: Route 53 Resolver query logging deleted or disassociated
-- description: DeleteResolverQueryLogConfig or DisassociateResolverQueryLogConfig (DNS queries from the VPCs), or
--  Route 53 DeleteQueryLoggingConfig (queries to a public hosted zone): no longer logged, which hides exfiltration
--  over DNS and command-and-control lookups. Creating or associating a query log configuration is not a finding.
-- tables: cloudtrail, detection_allowlist
-- params: from, to
-- severity: high
-- report: security
-- section: Defense Evasion
-- schedule: cron(0 6 * * ? *)
-- kind: event
-- tactics: TA0005
-- techniques: T1562.008
-- stratus: aws.defense-evasion.dns-delete-logs
-- runbook: Check which VPCs lost query logging; recreate the configuration and associate it
--  (AssociateResolverQueryLogConfig).
-- actor: user_identity_arn
-- target: query_log_config_id, vpc_id
-- chart: event_name
SELECT
  event_time,
  event_name,
  CASE WHEN error_code IS NULL THEN 'success' ELSE 'attempt' END AS outcome,
  user_identity_arn,
  user_identity_type,
  coalesce(json_extract_scalar(request_parameters, '$.resolverQueryLogConfigId'), json_extract_scalar(request_parameters, '$.id')) AS query_log_config_id,
  json_extract_scalar(request_parameters, '$.resourceId') AS vpc_id,
  source_ip_address,
  aws_region,
  recipient_account_id,
  error_code,
  event_id
FROM cloudtrail
WHERE dt BETWEEN ? AND ?
  AND event_source IN ('route53resolver.amazonaws.com', 'route53.amazonaws.com')
  AND event_name IN ('DeleteResolverQueryLogConfig', 'DisassociateResolverQueryLogConfig', 'DeleteQueryLoggingConfig')
  AND coalesce(user_identity_invoked_by, '') <> 'cloudformation.amazonaws.com'
  AND coalesce(user_identity_session_issuer_arn, '') NOT LIKE '%:role/aws-service-role/%'
  AND coalesce(user_identity_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
  AND coalesce(user_identity_session_issuer_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
ORDER BY event_time, event_id
