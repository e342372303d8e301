-- name: App API 5xx spikes
-- description: Endpoints that returned 10 or more server errors (5xx) in one hour, at least a quarter of their
--   requests. Outages and crashing inputs show up here; so does an attack that hits an expensive code path.
-- tables: app_events
-- params: from, to
-- severity: medium
-- report: security
-- section: Impact
-- schedule: cron(0 6 * * ? *)
-- kind: aggregate
-- tactics: TA0040
-- techniques: T1499.003
-- runbook: Check whether the errors follow a deploy or a traffic burst from few clients; roll back, or rate-limit the
--   clients.
-- chart: path server_errors
WITH hourly AS (
  SELECT
    coalesce(service, '') AS service,
    coalesce(method, '') AS method,
    path,
    date_trunc('hour', event_time) AS hour_start,
    count(*) AS requests,
    sum(CASE WHEN status_code >= 500 THEN 1 ELSE 0 END) AS server_errors
  FROM app_events
  WHERE dt BETWEEN ? AND ?
    AND status_code IS NOT NULL
    AND path IS NOT NULL
  GROUP BY 1, 2, 3, 4
)
SELECT
  service,
  method,
  path,
  hour_start,
  requests,
  server_errors,
  round(CAST(server_errors AS double) / requests, 3) AS error_ratio
FROM hourly
WHERE server_errors >= 10
  AND 4 * server_errors >= requests
ORDER BY server_errors DESC, service, method, path, hour_start
