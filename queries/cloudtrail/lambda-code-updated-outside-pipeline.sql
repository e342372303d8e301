-- name: Lambda function code replaced by a new hand
-- description: UpdateFunctionCode (not a dry run), successes and attempts, by a principal that is not approved, not
--   CloudFormation and not a service-linked role, where that principal had not updated that function's code from
--   that IP in the 7 days before the period: a pipeline deploys from the same identity and runner every time, an
--   intruder replaces code once.
-- tables: cloudtrail, detection_allowlist
-- params: from, to, from, from
-- severity: high
-- report: security
-- section: Persistence
-- schedule: cron(0 6 * * ? *)
-- kind: aggregate
-- tactics: TA0003, TA0002
-- techniques: T1525, T1648
-- stratus: aws.persistence.lambda-overwrite-code
-- runbook: Compare the function's code hash (GetFunction CodeSha256) with the last pipeline build; redeploy from source
--   and review the function role's activity since.
-- actor: user_identity_arn
-- target: function_name
-- chart: event_name
WITH updates AS (
  SELECT
    dt,
    event_time,
    event_id,
    event_name,
    error_code,
    user_identity_arn,
    source_ip_address,
    aws_region,
    recipient_account_id,
    json_extract_scalar(request_parameters, '$.functionName') AS function_name
  FROM cloudtrail
  WHERE dt BETWEEN CAST(date_add('day', -7, CAST(? AS date)) AS varchar) AND ?
    AND event_source = 'lambda.amazonaws.com'
    AND event_name LIKE 'UpdateFunctionCode%'
    AND coalesce(json_extract_scalar(request_parameters, '$.dryRun'), 'false') <> 'true'
    AND coalesce(user_identity_invoked_by, '') <> 'cloudformation.amazonaws.com'
    AND coalesce(user_identity_session_issuer_arn, user_identity_arn, '') NOT LIKE '%/aws-service-role/%'
    AND coalesce(user_identity_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
    AND coalesce(user_identity_session_issuer_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
),
baseline AS (
  SELECT DISTINCT user_identity_arn, source_ip_address, function_name
  FROM updates
  WHERE dt < ?
)
SELECT
  u.event_time,
  u.event_name,
  CASE WHEN u.error_code IS NULL THEN 'success' ELSE 'attempt' END AS outcome,
  u.user_identity_arn,
  u.function_name,
  u.source_ip_address,
  u.aws_region,
  u.recipient_account_id,
  u.error_code,
  ARRAY[u.event_id] AS event_ids
FROM updates AS u
LEFT JOIN baseline AS b
  ON b.user_identity_arn = u.user_identity_arn
  AND b.source_ip_address = u.source_ip_address
  AND b.function_name = u.function_name
WHERE u.dt >= ?
  AND b.function_name IS NULL
ORDER BY u.event_time, u.event_id
