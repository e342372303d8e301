-- name: CloudFront cache hit ratio
-- description: Share of requests served from the edge cache (Hit, RefreshHit) per host and day. A sudden drop
--   can mean cache-busting requests (random query strings) that push load onto the origin.
-- tables: cloudfront
-- params: from, to
-- severity: info
-- report: security
-- section: CloudFront
-- schedule: cron(0 6 * * ? *)
-- chart: host requests
WITH typed AS (
  SELECT
    coalesce(x_host_header, cs_host) AS host,
    dt,
    x_edge_result_type
  FROM cloudfront
  WHERE dt BETWEEN ? AND ?
)
SELECT
  host,
  dt AS day,
  count(*) AS requests,
  sum(CASE WHEN x_edge_result_type IN ('Hit', 'RefreshHit') THEN 1 ELSE 0 END) AS hits,
  sum(CASE WHEN x_edge_result_type = 'Miss' THEN 1 ELSE 0 END) AS misses,
  sum(CASE WHEN x_edge_result_type = 'Error' THEN 1 ELSE 0 END) AS errors,
  round(CAST(sum(CASE WHEN x_edge_result_type IN ('Hit', 'RefreshHit') THEN 1 ELSE 0 END) AS double) / count(*), 3)
    AS hit_ratio
FROM typed
GROUP BY host, dt
ORDER BY day, host
