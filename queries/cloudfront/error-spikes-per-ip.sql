-- name: CloudFront 4xx and 5xx spikes per client IP
-- description: Client IPs that received 20 or more error responses (4xx or 5xx) in one hour, at least half of
--   their requests in that hour. Many 4xx point at probing; many 5xx at a client hammering a failing origin.
-- tables: cloudfront
-- params: from, to
-- severity: medium
-- report: security
-- section: Reconnaissance
-- schedule: cron(0 6 * * ? *)
-- kind: aggregate
-- tactics: TA0043
-- techniques: T1595
-- runbook: Look at the paths the IP requested; block it at the edge when the errors are probing rather than a broken
--   client.
-- actor: c_ip
-- chart: c_ip errors
WITH hourly AS (
  SELECT
    c_ip,
    date_trunc('hour', event_time) AS hour_start,
    count(*) AS requests,
    sum(CASE WHEN sc_status BETWEEN 400 AND 499 THEN 1 ELSE 0 END) AS client_errors,
    sum(CASE WHEN sc_status >= 500 THEN 1 ELSE 0 END) AS server_errors
  FROM cloudfront
  WHERE dt BETWEEN ? AND ?
  GROUP BY 1, 2
)
SELECT
  c_ip,
  hour_start,
  requests,
  client_errors,
  server_errors,
  client_errors + server_errors AS errors,
  round(CAST(client_errors + server_errors AS double) / requests, 3) AS error_ratio
FROM hourly
WHERE client_errors + server_errors >= 20
  AND 2 * (client_errors + server_errors) >= requests
ORDER BY errors DESC, c_ip, hour_start
