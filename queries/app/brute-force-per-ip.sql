-- name: App brute-force login failures per IP
-- description: Client IPs with 10 or more failed logins in one hour, or failures against 5 or more distinct
--   users in one hour (password spraying: one or two guesses per account to stay under lockout limits).
-- tables: app_events
-- params: from, to
-- severity: high
-- report: security
-- section: Credential Access
-- schedule: cron(0 6 * * ? *)
-- kind: aggregate
-- tactics: TA0006
-- techniques: T1110.001, T1110.003
-- runbook: Block or rate-limit the source IP at the edge; check whether any of its attempts succeeded and reset those
--   passwords.
-- actor: ip_address
-- target: hour_start
-- chart: ip_address failures
WITH failures AS (
  SELECT
    ip_address,
    user_id,
    event_time,
    date_trunc('hour', event_time) AS hour_start
  FROM app_events
  WHERE dt BETWEEN ? AND ?
    AND lower(action) IN ('login', 'signin', 'sign-in', 'authenticate')
    AND lower(result) IN ('failure', 'failed', 'denied')
    AND ip_address IS NOT NULL
)
SELECT
  ip_address,
  hour_start,
  count(*) AS failures,
  count(DISTINCT user_id) AS distinct_users,
  min(event_time) AS first_seen,
  max(event_time) AS last_seen
FROM failures
GROUP BY ip_address, hour_start
HAVING count(*) >= 10 OR count(DISTINCT user_id) >= 5
ORDER BY failures DESC, ip_address, hour_start
