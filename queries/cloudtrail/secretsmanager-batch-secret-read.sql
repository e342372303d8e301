-- name: Secrets Manager secrets read in bulk with BatchGetSecretValue
-- description: BatchGetSecretValue that selects secrets by filter (every secret matching a name, tag or description) or lists
--   5 or more secret ids in one call: the fastest way to dump an account's secrets.
-- tables: cloudtrail
-- params: from, to
-- severity: high
-- report: security
-- section: Credential Access
-- schedule: cron(0 6 * * ? *)
-- kind: event
-- tactics: TA0006
-- techniques: T1555.006
-- stratus: aws.credential-access.secretsmanager-batch-retrieve-secrets
-- runbook: Check the caller and the filter; if unexpected, disable the credentials and rotate every secret the filter
--   matches.
-- actor: user_identity_arn
-- target: filters
-- chart: event_name
SELECT
  event_time,
  event_name,
  CASE WHEN error_code IS NULL THEN 'success' ELSE 'attempt' END AS outcome,
  user_identity_arn,
  coalesce(CAST(json_array_length(json_extract(request_parameters, '$.secretIdList')) AS varchar), regexp_extract(request_parameters, '"filters"\s*:\s*(\[[^\]]*\])', 1)) AS filters,
  source_ip_address,
  aws_region,
  recipient_account_id,
  error_code,
  event_id
FROM cloudtrail
WHERE dt BETWEEN ? AND ?
  AND event_source = 'secretsmanager.amazonaws.com'
  AND event_name = 'BatchGetSecretValue'
  AND (
    json_extract(request_parameters, '$.filters') IS NOT NULL
    OR json_array_length(json_extract(request_parameters, '$.secretIdList')) >= 5
  )
ORDER BY event_time, event_id
