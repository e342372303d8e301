-- name: App login from a new IP
-- description: Successful logins from an IP the user had not logged in from in the 30 days before the period.
--   Users without login history in those 30 days are not scored. A new IP right after a burst of failures is
--   the pattern of a guessed password.
-- tables: app_events
-- params: from, to, from, from
-- severity: medium
-- report: security
-- section: Initial Access
-- schedule: cron(0 6 * * ? *)
-- kind: aggregate
-- tactics: TA0001
-- techniques: T1078
-- runbook: Confirm the new IP with the user; if it is not theirs, end the user's sessions and reset the credentials.
-- actor: user_id
-- target: ip_address
-- chart: user_id logins
WITH logins AS (
  SELECT
    user_id,
    ip_address,
    dt,
    event_time,
    user_agent
  FROM app_events
  WHERE dt BETWEEN CAST(date_add('day', -30, CAST(? AS date)) AS varchar) AND ?
    AND lower(action) IN ('login', 'signin', 'sign-in', 'authenticate')
    AND lower(result) = 'success'
    AND user_id IS NOT NULL
    AND ip_address IS NOT NULL
),
history AS (
  SELECT DISTINCT user_id, ip_address FROM logins WHERE dt < ?
),
known AS (
  SELECT DISTINCT user_id FROM history
),
recent AS (
  SELECT
    user_id,
    ip_address,
    count(*) AS logins,
    min(event_time) AS first_seen,
    max(event_time) AS last_seen,
    min(user_agent) AS user_agent
  FROM logins
  WHERE dt >= ?
  GROUP BY user_id, ip_address
)
SELECT
  r.user_id,
  r.ip_address,
  r.logins,
  r.first_seen,
  r.last_seen,
  r.user_agent
FROM recent r
JOIN known k ON k.user_id = r.user_id
LEFT JOIN history h ON h.user_id = r.user_id AND h.ip_address = r.ip_address
WHERE h.user_id IS NULL
ORDER BY r.first_seen, r.user_id, r.ip_address
