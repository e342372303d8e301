-- name: Many Secrets Manager secrets read by one principal
-- description: One principal reading 5 or more distinct secrets with GetSecretValue in one clock hour (successes and
--   attempts): an application reads its own few secrets, a stolen key dumps them all.
-- tables: cloudtrail
-- params: from, to
-- severity: high
-- report: security
-- section: Credential Access
-- schedule: cron(0 6 * * ? *)
-- kind: aggregate
-- tactics: TA0006
-- techniques: T1555.006, T1552
-- stratus: aws.credential-access.secretsmanager-retrieve-secrets, aws.credential-access.secretsmanager-batch-retrieve-secrets
-- runbook: Check whether the principal is an application that legitimately reads these secrets; if not, disable its
--   credentials and rotate every secret in the list.
-- actor: user_identity_arn
-- target: first_secret_id, last_secret_id
-- chart: user_identity_arn distinct_secrets
WITH reads AS (
  SELECT
    event_time,
    event_id,
    event_name,
    error_code,
    user_identity_arn,
    source_ip_address,
    aws_region,
    recipient_account_id,
    json_extract_scalar(request_parameters, '$.secretId') AS secret_id
  FROM cloudtrail
  WHERE dt BETWEEN ? AND ?
    AND event_source = 'secretsmanager.amazonaws.com'
    AND event_name = 'GetSecretValue'
    AND user_identity_arn IS NOT NULL
)
SELECT
  min(event_time) AS event_time,
  'GetSecretValue' AS event_name,
  CASE WHEN count(error_code) < count(*) THEN 'success' ELSE 'attempt' END AS outcome,
  user_identity_arn,
  count(DISTINCT secret_id) AS distinct_secrets,
  min(secret_id) AS first_secret_id,
  max(secret_id) AS last_secret_id,
  min(source_ip_address) AS source_ip_address,
  count(DISTINCT source_ip_address) AS source_ips,
  min(aws_region) AS aws_region,
  recipient_account_id,
  array_agg(event_id ORDER BY event_time, event_id) AS event_ids
FROM reads
GROUP BY user_identity_arn, recipient_account_id, date_trunc('hour', event_time)
HAVING count(DISTINCT secret_id) >= 5
ORDER BY event_time, user_identity_arn
