-- name: Lambda function URL created or changed to need no authentication
-- description: CreateFunctionUrlConfig or UpdateFunctionUrlConfig with AuthType NONE: anyone who learns the URL can invoke
--   the function.
-- tables: cloudtrail
-- params: from, to
-- severity: medium
-- report: security
-- section: Persistence
-- schedule: cron(0 6 * * ? *)
-- kind: event
-- tactics: TA0003, TA0001
-- techniques: T1098, T1190
-- alert: true
-- runbook: Check whether the function is meant to be public; if not, set AuthType AWS_IAM or delete the URL, and review
--   its invocations.
-- actor: user_identity_arn
-- target: function_name
-- chart: event_name
SELECT
  event_time,
  event_name,
  CASE WHEN error_code IS NULL THEN 'success' ELSE 'attempt' END AS outcome,
  user_identity_arn,
  json_extract_scalar(request_parameters, '$.functionName') AS function_name,
  json_extract_scalar(response_elements, '$.functionUrl') AS function_url,
  source_ip_address,
  aws_region,
  recipient_account_id,
  error_code,
  event_id
FROM cloudtrail
WHERE dt BETWEEN ? AND ?
  AND event_source = 'lambda.amazonaws.com'
  AND (event_name LIKE 'CreateFunctionUrlConfig%' OR event_name LIKE 'UpdateFunctionUrlConfig%')
  AND upper(json_extract_scalar(request_parameters, '$.authType')) = 'NONE'
ORDER BY event_time, event_id
