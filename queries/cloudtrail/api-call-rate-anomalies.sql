-- name: CloudTrail API call-rate anomalies
-- description: Hours in which an API was called far more often than usual, in the manner of CloudTrail
--   Insights. Each hour's count per event name is compared with the trailing seven days (168 hourly buckets,
--   hours without calls counting as zero): z = (calls - mean) / max(stddev, 1). Reported when z >= 3 and
--   calls >= 20. Hours are scored only once the lake holds seven days of CloudTrail before them (cold start).
-- tables: cloudtrail
-- params: from, to, from
-- severity: medium
-- report: security
-- section: CloudTrail
-- schedule: cron(0 6 * * ? *)
-- chart: event_name calls
WITH hourly AS (
  SELECT
    event_source,
    event_name,
    dt,
    date_trunc('hour', event_time) AS hour_start,
    count(*) AS calls
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
  GROUP BY h.event_source, h.event_name, h.dt, h.hour_start, h.calls
),
scored AS (
  SELECT
    event_source,
    event_name,
    dt,
    hour_start,
    calls,
    CAST(baseline_calls AS double) / 168 AS baseline_mean,
    sqrt(greatest(
      CAST(baseline_squares AS double) / 168 - power(CAST(baseline_calls AS double) / 168, 2),
      0.0
    )) AS baseline_stddev
  FROM windowed
)
SELECT
  s.event_source,
  s.event_name,
  s.hour_start,
  s.calls,
  round(s.baseline_mean, 2) AS baseline_mean,
  round(s.baseline_stddev, 2) AS baseline_stddev,
  round((s.calls - s.baseline_mean) / greatest(s.baseline_stddev, 1.0), 2) AS z_score
FROM scored s
CROSS JOIN first_day f
WHERE s.calls >= 20
  AND (s.calls - s.baseline_mean) / greatest(s.baseline_stddev, 1.0) >= 3
  AND f.first_dt <= CAST(date_add('day', -7, CAST(s.dt AS date)) AS varchar)
ORDER BY z_score DESC, s.event_name, s.hour_start
