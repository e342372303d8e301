-- name: Bedrock model access or use-case form submitted
-- description: PutUseCaseForModelAccess, PutFoundationModelEntitlement or CreateFoundationModelAgreement, successes and
--   attempts, by a principal other than CloudFormation: LLM hijackers enable models in a victim account before
--   invoking them.
-- tables: cloudtrail
-- params: from, to
-- severity: medium
-- report: security
-- section: Impact
-- schedule: cron(0 6 * * ? *)
-- kind: event
-- tactics: TA0040
-- techniques: T1496
-- stratus: aws.impact.bedrock-invoke-model
-- runbook: Check who asked for model access and whether an AI workload needs it; if not, disable the caller's credentials
--   and remove the model access.
-- actor: user_identity_arn
-- target: model_id
-- chart: event_name
SELECT
  event_time,
  event_name,
  CASE WHEN error_code IS NULL THEN 'success' ELSE 'attempt' END AS outcome,
  user_identity_arn,
  coalesce(json_extract_scalar(request_parameters, '$.modelId'), json_extract_scalar(request_parameters, '$.offerToken')) AS model_id,
  source_ip_address,
  aws_region,
  recipient_account_id,
  error_code,
  event_id
FROM cloudtrail
WHERE dt BETWEEN ? AND ?
  AND event_source = 'bedrock.amazonaws.com'
  AND event_name IN ('PutUseCaseForModelAccess', 'PutFoundationModelEntitlement', 'CreateFoundationModelAgreement')
  AND coalesce(user_identity_invoked_by, '') <> 'cloudformation.amazonaws.com'
  AND coalesce(user_identity_session_issuer_arn, user_identity_arn, '') NOT LIKE '%/aws-service-role/%'
ORDER BY event_time, event_id
