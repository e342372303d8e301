-- name: CloudTrail console login failures
-- description: Failed console sign-ins per user name and source IP. A user name of
--   HIDDEN_DUE_TO_SECURITY_REASONS means the name typed does not exist in the account, which points at
--   guessing rather than a forgotten password.
-- tables: cloudtrail
-- params: from, to
-- severity: medium
-- report: security
-- section: CloudTrail
-- schedule: cron(0 6 * * ? *)
-- chart: source_ip_address failures
WITH failed AS (
  SELECT
    coalesce(user_identity_user_name, user_identity_arn, 'unknown') AS user_name,
    source_ip_address,
    user_agent,
    event_time
  FROM cloudtrail
  WHERE dt BETWEEN ? AND ?
    AND event_name = 'ConsoleLogin'
    AND (
      error_message = 'Failed authentication'
      OR json_extract_scalar(response_elements, '$.ConsoleLogin') = 'Failure'
    )
)
SELECT
  user_name,
  user_name = 'HIDDEN_DUE_TO_SECURITY_REASONS' AS hidden_user_name,
  source_ip_address,
  count(*) AS failures,
  min(event_time) AS first_seen,
  max(event_time) AS last_seen,
  min(user_agent) AS user_agent
FROM failed
GROUP BY user_name, source_ip_address
ORDER BY failures DESC, user_name, source_ip_address
