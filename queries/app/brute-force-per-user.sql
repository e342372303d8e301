-- name: App brute-force login failures per user
-- description: Users with 5 or more failed logins in one hour: password guessing against one account.
--   source_ips above 1 means the guesses came from several addresses (a botnet or proxies).
-- tables: app_events
-- params: from, to
-- severity: high
-- report: security
-- section: Credential Access
-- schedule: cron(0 6 * * ? *)
-- kind: aggregate
-- tactics: TA0006
-- techniques: T1110.001
-- runbook: Ask the user whether the failures are theirs; lock the account or require a password reset and MFA if not.
-- actor: user_id
-- target: user_id
-- chart: user_id failures
WITH failures AS (
  SELECT
    user_id,
    ip_address,
    event_time,
    date_trunc('hour', event_time) AS hour_start
  FROM app_events
  WHERE dt BETWEEN ? AND ?
    AND lower(action) IN ('login', 'signin', 'sign-in', 'authenticate')
    AND lower(result) IN ('failure', 'failed', 'denied')
    AND user_id IS NOT NULL
)
SELECT
  user_id,
  hour_start,
  count(*) AS failures,
  count(DISTINCT ip_address) AS source_ips,
  min(ip_address) AS source_ip,
  min(event_time) AS first_seen,
  max(event_time) AS last_seen
FROM failures
GROUP BY user_id, hour_start
HAVING count(*) >= 5
ORDER BY failures DESC, user_id, hour_start
