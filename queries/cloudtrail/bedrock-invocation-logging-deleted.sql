-- name: Bedrock model invocation logging deleted
-- description: DeleteModelInvocationLoggingConfiguration: prompts and completions of Bedrock models in the region are
--  no longer logged, which hides model abuse (LLMjacking). Putting a logging configuration is not a finding.
-- tables: cloudtrail, detection_allowlist
-- params: from, to
-- severity: high
-- report: security
-- section: Defense Evasion
-- schedule: cron(0 6 * * ? *)
-- kind: event
-- tactics: TA0005
-- techniques: T1562.008
-- stratus: aws.defense-evasion.bedrock-model-invocation-logging-delete
-- runbook: Check Bedrock usage since the change (InvokeModel events, cost); restore logging
--  (PutModelInvocationLoggingConfiguration).
-- actor: user_identity_arn
-- target: region
-- chart: event_name
SELECT
  event_time,
  event_name,
  CASE WHEN error_code IS NULL THEN 'success' ELSE 'attempt' END AS outcome,
  user_identity_arn,
  user_identity_type,
  aws_region AS region,
  source_ip_address,
  aws_region,
  recipient_account_id,
  error_code,
  event_id
FROM cloudtrail
WHERE dt BETWEEN ? AND ?
  AND event_source = 'bedrock.amazonaws.com'
  AND event_name = 'DeleteModelInvocationLoggingConfiguration'
  AND coalesce(user_identity_invoked_by, '') <> 'cloudformation.amazonaws.com'
  AND coalesce(user_identity_session_issuer_arn, '') NOT LIKE '%:role/aws-service-role/%'
  AND coalesce(user_identity_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
  AND coalesce(user_identity_session_issuer_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
ORDER BY event_time, event_id
