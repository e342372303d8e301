-- name: App slow endpoints (p95)
-- description: Endpoints whose 95th-percentile duration was 1000 ms or more over the period, with at least 20
--   requests. approx_percentile is approximate on Athena; the local engine computes the exact nearest value.
-- tables: app_events
-- params: from, to
-- severity: low
-- report: security
-- section: Application
-- schedule: cron(0 6 * * ? *)
-- chart: path p95_ms
WITH timed AS (
  SELECT
    coalesce(service, '') AS service,
    coalesce(method, '') AS method,
    path,
    count(*) AS requests,
    approx_percentile(duration_ms, 0.95) AS p95,
    avg(duration_ms) AS mean,
    max(duration_ms) AS slowest,
    min(event_time) AS first_seen,
    max(event_time) AS last_seen
  FROM app_events
  WHERE dt BETWEEN ? AND ?
    AND duration_ms IS NOT NULL
    AND path IS NOT NULL
  GROUP BY 1, 2, 3
)
SELECT
  service,
  method,
  path,
  requests,
  round(p95, 1) AS p95_ms,
  round(mean, 1) AS mean_ms,
  round(slowest, 1) AS max_ms,
  first_seen,
  last_seen
FROM timed
WHERE requests >= 20
  AND p95 >= 1000
ORDER BY p95_ms DESC, service, method, path
