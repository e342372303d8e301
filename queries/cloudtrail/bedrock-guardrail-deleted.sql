-- name: Bedrock guardrail deleted
-- description: DeleteGuardrail without a version (the whole guardrail and all its versions), successes and attempts, by a
--   principal other than CloudFormation: removes the content filters that stop a model from being misused.
--   Deleting one version keeps the guardrail.
-- tables: cloudtrail
-- params: from, to
-- severity: high
-- report: security
-- section: Defense Evasion
-- schedule: cron(0 6 * * ? *)
-- kind: event
-- tactics: TA0005
-- techniques: T1562.001
-- stratus: aws.defense-evasion.bedrock-guardrail-delete
-- alert: true
-- runbook: Check which applications referenced the guardrail and who deleted it; recreate it from its definition and
--   review model invocations since.
-- actor: user_identity_arn
-- target: guardrail_id
-- chart: event_name
SELECT
  event_time,
  event_name,
  CASE WHEN error_code IS NULL THEN 'success' ELSE 'attempt' END AS outcome,
  user_identity_arn,
  json_extract_scalar(request_parameters, '$.guardrailIdentifier') AS guardrail_id,
  source_ip_address,
  aws_region,
  recipient_account_id,
  error_code,
  event_id
FROM cloudtrail
WHERE dt BETWEEN ? AND ?
  AND event_source = 'bedrock.amazonaws.com'
  AND event_name IN ('DeleteGuardrail', 'DeleteModelGuardrail')
  AND json_extract_scalar(request_parameters, '$.guardrailVersion') IS NULL
  AND coalesce(user_identity_invoked_by, '') <> 'cloudformation.amazonaws.com'
  AND coalesce(user_identity_session_issuer_arn, user_identity_arn, '') NOT LIKE '%/aws-service-role/%'
ORDER BY event_time, event_id
