-- name: CloudTrail console login failures
-- description: Failed console sign-ins per user name and source IP. A user name of
--   HIDDEN_DUE_TO_SECURITY_REASONS means the name typed does not exist in the account, which points at
--   guessing rather than a forgotten password.
-- tables: cloudtrail
-- params: from, to
-- severity: medium
-- report: security
-- section: Credential Access
-- schedule: cron(0 6 * * ? *)
-- kind: aggregate
-- tactics: TA0006
-- techniques: T1110
-- cis: 4.6
-- runbook: Check whether the source IP belongs to the user; on repeated failures from unknown IPs block the IP and
--   make sure the user has MFA.
-- actor: source_ip_address
-- target: user_name
-- chart: source_ip_address failures
WITH failed AS (
  SELECT
    coalesce(user_identity_user_name, user_identity_arn, 'unknown') AS user_name,
    source_ip_address,
    user_agent,
    event_time,
    event_name,
    event_id,
    aws_region,
    recipient_account_id
  FROM cloudtrail
  WHERE dt BETWEEN ? AND ?
    AND event_name = 'ConsoleLogin'
    AND (
      error_message = 'Failed authentication'
      OR json_extract_scalar(response_elements, '$.ConsoleLogin') = 'Failure'
    )
)
SELECT
  min(event_time) AS event_time,
  'ConsoleLogin' AS event_name,
  'attempt' AS outcome,
  user_name,
  user_name = 'HIDDEN_DUE_TO_SECURITY_REASONS' AS hidden_user_name,
  source_ip_address,
  min(aws_region) AS aws_region,
  min(recipient_account_id) AS recipient_account_id,
  count(*) AS failures,
  min(event_time) AS first_seen,
  max(event_time) AS last_seen,
  min(user_agent) AS user_agent,
  array_agg(event_id ORDER BY event_time, event_id) AS event_ids
FROM failed
GROUP BY user_name, source_ip_address
ORDER BY event_time, user_name, source_ip_address
