-- name: CloudTrail AccessDenied bursts
-- description: Principals with 5 or more AccessDenied, UnauthorizedOperation or other authorization errors in one
--   hour. Stolen credentials are typically tried against many APIs to learn what they may do; distinct_apis shows
--   the spread.
-- tables: cloudtrail
-- params: from, to
-- severity: medium
-- report: security
-- section: CloudTrail
-- schedule: cron(0 6 * * ? *)
-- chart: principal denied_calls
WITH denied AS (
  SELECT
    coalesce(user_identity_arn, user_identity_principal_id, user_identity_type) AS principal,
    date_trunc('hour', event_time) AS hour_start,
    event_name,
    source_ip_address,
    event_time
  FROM cloudtrail
  WHERE dt BETWEEN ? AND ?
    AND (
      error_code LIKE '%AccessDenied%'
      OR error_code LIKE '%UnauthorizedOperation%'
      OR error_code IN ('UnauthorizedAccess', 'AuthorizationError', 'AuthorizationErrorException', 'Forbidden')
    )
)
SELECT
  principal,
  hour_start,
  count(*) AS denied_calls,
  count(DISTINCT event_name) AS distinct_apis,
  count(DISTINCT source_ip_address) AS source_ips,
  min(source_ip_address) AS source_ip,
  min(event_time) AS first_seen,
  max(event_time) AS last_seen
FROM denied
GROUP BY principal, hour_start
HAVING count(*) >= 5
ORDER BY denied_calls DESC, principal, hour_start
