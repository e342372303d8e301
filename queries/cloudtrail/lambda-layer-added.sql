-- name: Lambda layer or extension added to a function outside the deployment pipeline
-- description: UpdateFunctionConfiguration or CreateFunction that sets layers, either from an account other than this one and
--   those approved for sharing, or by a principal that is not approved, not CloudFormation and not a
--   service-linked role: a layer extension runs inside every invocation and sees its events and credentials.
-- tables: cloudtrail, detection_allowlist
-- params: from, to
-- severity: high
-- report: security
-- section: Persistence
-- schedule: cron(0 6 * * ? *)
-- kind: event
-- tactics: TA0003, TA0004
-- techniques: T1546, T1525
-- stratus: aws.persistence.lambda-layer-extension
-- runbook: Compare the function's layers with the deployed version; remove unknown layers, redeploy from source and
--   review what the layer sent out.
-- actor: user_identity_arn
-- target: function_name, layers
-- chart: event_name
SELECT
  event_time,
  event_name,
  CASE WHEN error_code IS NULL THEN 'success' ELSE 'attempt' END AS outcome,
  user_identity_arn,
  json_extract_scalar(request_parameters, '$.functionName') AS function_name,
  regexp_extract(request_parameters, '"layers"\s*:\s*(\[[^\]]*\])', 1) AS layers,
  source_ip_address,
  aws_region,
  recipient_account_id,
  error_code,
  event_id
FROM cloudtrail
WHERE dt BETWEEN ? AND ?
  AND event_source = 'lambda.amazonaws.com'
  AND (event_name LIKE 'UpdateFunctionConfiguration%' OR event_name LIKE 'CreateFunction20%')
  AND json_array_length(json_extract(request_parameters, '$.layers')) > 0
  AND (
    EXISTS (
      SELECT 1
      FROM UNNEST(regexp_extract_all(regexp_extract(request_parameters, '"layers"\s*:\s*(\[[^\]]*\])', 1), 'arn:aws:lambda:[a-z0-9-]+:(\d{12}):layer', 1)) AS a (account_id)
      WHERE account_id <> recipient_account_id
        AND account_id NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'account')
    )
    OR (
      coalesce(user_identity_invoked_by, '') <> 'cloudformation.amazonaws.com'
      AND coalesce(user_identity_session_issuer_arn, user_identity_arn, '') NOT LIKE '%/aws-service-role/%'
      AND coalesce(user_identity_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
      AND coalesce(user_identity_session_issuer_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
    )
  )
ORDER BY event_time, event_id
