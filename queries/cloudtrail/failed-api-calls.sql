-- name: CloudTrail failed API calls
-- description: API calls that returned an error, per principal, API and error code, most frequent first
--   (top 200). Context for the bursts and anomalies above: misconfigured automation shows up here too.
-- tables: cloudtrail
-- params: from, to
-- severity: low
-- report: security
-- section: CloudTrail
-- schedule: cron(0 6 * * ? *)
-- chart: event_name calls
SELECT
  coalesce(user_identity_arn, user_identity_principal_id, user_identity_type) AS principal,
  event_source,
  event_name,
  error_code,
  count(*) AS calls,
  min(event_time) AS first_seen,
  max(event_time) AS last_seen
FROM cloudtrail
WHERE dt BETWEEN ? AND ?
  AND error_code IS NOT NULL
GROUP BY 1, 2, 3, 4
ORDER BY calls DESC, principal, event_source, event_name, error_code
LIMIT 200
