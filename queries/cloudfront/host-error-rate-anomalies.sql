-- name: CloudFront error-rate anomalies per host
-- description: Hours in which a host's share of 4xx and 5xx responses rose far above its trailing seven-day
--   baseline of hourly error rates: z = (rate - mean) / max(stddev, 0.05). Reported when z >= 3 with at least
--   20 requests in the hour and 24 baseline hours with traffic (cold start).
-- tables: cloudfront
-- params: from, to, from
-- severity: medium
-- report: security
-- section: Impact
-- schedule: cron(0 6 * * ? *)
-- kind: aggregate
-- tactics: TA0040
-- techniques: T1499
-- runbook: Check the origin's health and recent deploys for the host; if the errors come from few clients, rate-limit
--   them.
-- chart: host errors
WITH hourly AS (
  SELECT
    coalesce(x_host_header, cs_host) AS host,
    dt,
    date_trunc('hour', event_time) AS hour_start,
    count(*) AS requests,
    sum(CASE WHEN sc_status >= 400 THEN 1 ELSE 0 END) AS errors
  FROM cloudfront
  WHERE dt BETWEEN CAST(date_add('day', -7, CAST(? AS date)) AS varchar) AND ?
  GROUP BY 1, 2, 3
),
windowed AS (
  SELECT
    h.host,
    h.hour_start,
    h.requests,
    h.errors,
    avg(CAST(b.errors AS double) / b.requests) AS baseline_rate,
    coalesce(stddev_samp(CAST(b.errors AS double) / b.requests), 0.0) AS baseline_stddev,
    count(b.hour_start) AS baseline_hours
  FROM hourly h
  LEFT JOIN hourly b
    ON b.host = h.host
    AND b.hour_start >= h.hour_start - INTERVAL '7' DAY
    AND b.hour_start < h.hour_start
  WHERE h.dt >= ?
  GROUP BY h.host, h.hour_start, h.requests, h.errors
),
scored AS (
  SELECT
    host,
    hour_start,
    requests,
    errors,
    CAST(errors AS double) / requests AS error_rate,
    baseline_rate,
    baseline_stddev,
    baseline_hours
  FROM windowed
)
SELECT
  host,
  hour_start,
  requests,
  errors,
  round(error_rate, 3) AS error_rate,
  round(baseline_rate, 3) AS baseline_rate,
  round(baseline_stddev, 3) AS baseline_stddev,
  round((error_rate - baseline_rate) / greatest(baseline_stddev, 0.05), 2) AS z_score
FROM scored
WHERE requests >= 20
  AND baseline_hours >= 24
  AND (error_rate - baseline_rate) / greatest(baseline_stddev, 0.05) >= 3
ORDER BY z_score DESC, host, hour_start
