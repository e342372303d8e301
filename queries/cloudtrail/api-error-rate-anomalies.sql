-- name: CloudTrail API error-rate anomalies
-- description: Hours in which an API returned errors far more often than usual, in the manner of CloudTrail
--   Insights error-rate events. The hourly error count per event name is compared with the trailing seven days
--   (168 hourly buckets, zero when quiet): z = (errors - mean) / max(stddev, 1). Reported when z >= 3 and
--   errors >= 10, once the lake holds seven days of CloudTrail before the hour.
-- tables: cloudtrail
-- params: from, to, from
-- severity: medium
-- report: security
-- section: Discovery
-- schedule: cron(0 6 * * ? *)
-- kind: aggregate
-- tactics: TA0007, TA0040
-- techniques: T1526, T1496
-- runbook: Look at who made the failing calls in that hour and what they tried; revoke credentials that are not
--   recognised, or fix the automation that fails.
-- actor: user_identity_arn
-- target: event_source
-- chart: event_name errors
WITH hourly AS (
  SELECT
    event_source,
    event_name,
    dt,
    date_trunc('hour', event_time) AS hour_start,
    count(*) AS calls,
    sum(CASE WHEN error_code IS NOT NULL THEN 1 ELSE 0 END) AS errors,
    min(CASE WHEN error_code IS NOT NULL THEN event_time END) AS first_time,
    array_agg(event_id ORDER BY event_time, event_id) FILTER (WHERE error_code IS NOT NULL) AS ids,
    min(CASE WHEN error_code IS NOT NULL THEN coalesce(user_identity_arn, user_identity_principal_id, user_identity_type) END) AS actor,
    count(DISTINCT CASE WHEN error_code IS NOT NULL THEN coalesce(user_identity_arn, user_identity_principal_id, user_identity_type) END) AS principals,
    min(CASE WHEN error_code IS NOT NULL THEN source_ip_address END) AS ip,
    min(aws_region) AS region,
    min(recipient_account_id) AS account
  FROM cloudtrail
  WHERE dt BETWEEN CAST(date_add('day', -7, CAST(? AS date)) AS varchar) AND ?
    AND event_name IS NOT NULL
  GROUP BY 1, 2, 3, 4
),
first_day AS (
  SELECT min(dt) AS first_dt FROM hourly
),
windowed AS (
  SELECT
    h.event_source,
    h.event_name,
    h.dt,
    h.hour_start,
    h.first_time,
    h.ids,
    h.actor,
    h.principals,
    h.ip,
    h.region,
    h.account,
    h.calls,
    h.errors,
    coalesce(sum(b.calls), 0) AS baseline_calls,
    coalesce(sum(b.errors), 0) AS baseline_errors,
    coalesce(sum(b.errors * b.errors), 0) AS baseline_squares
  FROM hourly h
  LEFT JOIN hourly b
    ON b.event_source = h.event_source
    AND b.event_name = h.event_name
    AND b.hour_start >= h.hour_start - INTERVAL '7' DAY
    AND b.hour_start < h.hour_start
  WHERE h.dt >= ?
  GROUP BY h.event_source, h.event_name, h.dt, h.hour_start, h.first_time, h.ids, h.actor, h.principals, h.ip, h.region, h.account, h.calls, h.errors
),
scored AS (
  SELECT
    event_source,
    event_name,
    dt,
    hour_start,
    first_time,
    ids,
    actor,
    principals,
    ip,
    region,
    account,
    calls,
    errors,
    CAST(errors AS double) / calls AS error_rate,
    CAST(baseline_errors AS double) / nullif(baseline_calls, 0) AS baseline_error_rate,
    CAST(baseline_errors AS double) / 168 AS baseline_mean,
    sqrt(greatest(
      CAST(baseline_squares AS double) / 168 - power(CAST(baseline_errors AS double) / 168, 2),
      0.0
    )) AS baseline_stddev
  FROM windowed
)
SELECT
  s.first_time AS event_time,
  s.event_name,
  'attempt' AS outcome,
  s.event_source,
  s.actor AS user_identity_arn,
  s.principals,
  s.ip AS source_ip_address,
  s.region AS aws_region,
  s.account AS recipient_account_id,
  s.hour_start,
  s.calls,
  s.errors,
  round(s.error_rate, 3) AS error_rate,
  round(s.baseline_error_rate, 3) AS baseline_error_rate,
  round(s.baseline_mean, 2) AS baseline_mean,
  round((s.errors - s.baseline_mean) / greatest(s.baseline_stddev, 1.0), 2) AS z_score,
  s.ids AS event_ids
FROM scored s
CROSS JOIN first_day f
WHERE s.errors >= 10
  AND (s.errors - s.baseline_mean) / greatest(s.baseline_stddev, 1.0) >= 3
  AND f.first_dt <= CAST(date_add('day', -7, CAST(s.dt AS date)) AS varchar)
ORDER BY event_time, s.event_name
