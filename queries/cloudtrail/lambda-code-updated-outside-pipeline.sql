-- name: Lambda function code replaced outside the deployment pipeline
-- description: UpdateFunctionCode (not a dry run) by a principal that is not approved, not CloudFormation and not a
--   service-linked role, successes and attempts: replacing a function's code runs the attacker's code with the
--   function's role.
-- tables: cloudtrail, detection_allowlist
-- params: from, to
-- severity: high
-- report: security
-- section: Persistence
-- schedule: cron(0 6 * * ? *)
-- kind: event
-- tactics: TA0003, TA0002
-- techniques: T1525, T1648
-- stratus: aws.persistence.lambda-overwrite-code
-- runbook: Compare the function's code hash (GetFunction CodeSha256) with the last pipeline build; redeploy from source
--   and review the function role's activity since.
-- actor: user_identity_arn
-- target: function_name
-- chart: event_name
SELECT
  event_time,
  event_name,
  CASE WHEN error_code IS NULL THEN 'success' ELSE 'attempt' END AS outcome,
  user_identity_arn,
  json_extract_scalar(request_parameters, '$.functionName') AS function_name,
  json_extract_scalar(response_elements, '$.codeSha256') AS code_sha256,
  source_ip_address,
  aws_region,
  recipient_account_id,
  error_code,
  event_id
FROM cloudtrail
WHERE dt BETWEEN ? AND ?
  AND event_source = 'lambda.amazonaws.com'
  AND event_name LIKE 'UpdateFunctionCode%'
  AND coalesce(json_extract_scalar(request_parameters, '$.dryRun'), 'false') <> 'true'
  AND coalesce(user_identity_invoked_by, '') <> 'cloudformation.amazonaws.com'
  AND coalesce(user_identity_session_issuer_arn, user_identity_arn, '') NOT LIKE '%/aws-service-role/%'
  AND coalesce(user_identity_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
  AND coalesce(user_identity_session_issuer_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
ORDER BY event_time, event_id
