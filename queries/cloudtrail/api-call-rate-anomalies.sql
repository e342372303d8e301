-- name: CloudTrail API call-rate anomalies
-- description: Hours in which an API was called far more often than usual, in the manner of CloudTrail
--   Insights. Each hour's count per event name is compared with the trailing seven days (168 hourly buckets,
--   hours without calls counting as zero): z = (calls - mean) / max(stddev, 1). Reported when z >= 3 and
--   calls >= 20. Hours are scored only once the lake holds seven days of CloudTrail before them (cold start).
-- tables: cloudtrail
-- params: from, to, from
-- severity: medium
-- report: security
-- section: Discovery
-- schedule: cron(0 6 * * ? *)
-- kind: aggregate
-- tactics: TA0007, TA0040
-- techniques: T1526, T1496
-- runbook: Look at who made the calls in that hour and from where; a burst of reads is discovery, a burst of
--   writes may be resource abuse: revoke credentials that are not recognised.
-- actor: user_identity_arn
-- target: event_source
-- chart: event_name calls
WITH hourly AS (
  SELECT
    event_source,
    event_name,
    dt,
    date_trunc('hour', event_time) AS hour_start,
    count(*) AS calls,
    min(event_time) AS first_time,
    array_agg(event_id ORDER BY event_time, event_id) AS ids,
    CASE WHEN count(*) FILTER (WHERE error_code IS NULL) > 0 THEN 'success' ELSE 'attempt' END AS result,
    min(coalesce(user_identity_arn, user_identity_principal_id, user_identity_type)) AS actor,
    count(DISTINCT coalesce(user_identity_arn, user_identity_principal_id, user_identity_type)) AS principals,
    min(source_ip_address) AS ip,
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
    h.result,
    h.calls,
    coalesce(sum(b.calls), 0) AS baseline_calls,
    coalesce(sum(b.calls * b.calls), 0) AS baseline_squares
  FROM hourly h
  LEFT JOIN hourly b
    ON b.event_source = h.event_source
    AND b.event_name = h.event_name
    AND b.hour_start >= h.hour_start - INTERVAL '7' DAY
    AND b.hour_start < h.hour_start
  WHERE h.dt >= ?
  GROUP BY h.event_source, h.event_name, h.dt, h.hour_start, h.first_time, h.ids, h.actor, h.principals, h.ip, h.region, h.account, h.result, h.calls
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
    result,
    calls,
    CAST(baseline_calls AS double) / 168 AS baseline_mean,
    sqrt(greatest(
      CAST(baseline_squares AS double) / 168 - power(CAST(baseline_calls AS double) / 168, 2),
      0.0
    )) AS baseline_stddev
  FROM windowed
)
SELECT
  s.first_time AS event_time,
  s.event_name,
  s.result AS outcome,
  s.event_source,
  s.actor AS user_identity_arn,
  s.principals,
  s.ip AS source_ip_address,
  s.region AS aws_region,
  s.account AS recipient_account_id,
  s.hour_start,
  s.calls,
  round(s.baseline_mean, 2) AS baseline_mean,
  round(s.baseline_stddev, 2) AS baseline_stddev,
  round((s.calls - s.baseline_mean) / greatest(s.baseline_stddev, 1.0), 2) AS z_score,
  s.ids AS event_ids
FROM scored s
CROSS JOIN first_day f
WHERE s.calls >= 20
  AND (s.calls - s.baseline_mean) / greatest(s.baseline_stddev, 1.0) >= 3
  AND f.first_dt <= CAST(date_add('day', -7, CAST(s.dt AS date)) AS varchar)
ORDER BY event_time, s.event_name
