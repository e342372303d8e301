-- name: CloudFront bandwidth by edge location
-- description: Requests and bytes served per edge location (POP), largest first. Traffic from an unexpected
--   region shows up as an unfamiliar edge location.
-- tables: cloudfront
-- params: from, to
-- severity: info
-- report: security
-- section: CloudFront
-- schedule: cron(0 6 * * ? *)
-- chart: x_edge_location bytes_sent
SELECT
  x_edge_location,
  count(*) AS requests,
  sum(sc_bytes) AS bytes_sent,
  round(CAST(sum(sc_bytes) AS double) / 1048576, 3) AS mebibytes_sent,
  count(DISTINCT c_ip) AS client_ips
FROM cloudfront
WHERE dt BETWEEN ? AND ?
GROUP BY x_edge_location
ORDER BY bytes_sent DESC, x_edge_location
