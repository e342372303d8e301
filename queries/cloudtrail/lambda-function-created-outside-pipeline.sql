-- name: Lambda function created outside the deployment pipeline
-- description: CreateFunction by a principal that is not approved, not CloudFormation and not a service-linked role,
--   successes and attempts: a new function with a privileged role is a way to run code and keep access.
-- tables: cloudtrail, detection_allowlist
-- params: from, to
-- severity: medium
-- report: security
-- section: Execution
-- schedule: cron(0 6 * * ? *)
-- kind: event
-- tactics: TA0002, TA0003
-- techniques: T1648, T1525
-- stratus: aws.persistence.lambda-backdoor-function
-- runbook: Check the function's role and code; delete the function if nobody owns it and review what its role did.
-- actor: user_identity_arn
-- target: function_name, role
-- chart: event_name
SELECT
  event_time,
  event_name,
  CASE WHEN error_code IS NULL THEN 'success' ELSE 'attempt' END AS outcome,
  user_identity_arn,
  json_extract_scalar(request_parameters, '$.functionName') AS function_name,
  json_extract_scalar(request_parameters, '$.role') AS role,
  source_ip_address,
  aws_region,
  recipient_account_id,
  error_code,
  event_id
FROM cloudtrail
WHERE dt BETWEEN ? AND ?
  AND event_source = 'lambda.amazonaws.com'
  AND event_name LIKE 'CreateFunction20%'
  AND coalesce(user_identity_invoked_by, '') <> 'cloudformation.amazonaws.com'
  AND coalesce(user_identity_session_issuer_arn, user_identity_arn, '') NOT LIKE '%/aws-service-role/%'
  AND coalesce(user_identity_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
  AND coalesce(user_identity_session_issuer_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
ORDER BY event_time, event_id
