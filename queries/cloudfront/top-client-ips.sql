-- name: CloudFront top client IPs
-- description: The 20 client IPs that sent the most requests, with bytes served, error responses and distinct
--   paths. Context for the detections: a scanner or scraper usually tops this list.
-- tables: cloudfront
-- params: from, to
-- severity: info
-- report: security
-- section: CloudFront
-- schedule: cron(0 6 * * ? *)
-- chart: c_ip requests
SELECT
  c_ip,
  count(*) AS requests,
  sum(sc_bytes) AS bytes_sent,
  sum(CASE WHEN sc_status >= 400 THEN 1 ELSE 0 END) AS error_responses,
  count(DISTINCT cs_uri_stem) AS distinct_paths,
  min(event_time) AS first_seen,
  max(event_time) AS last_seen
FROM cloudfront
WHERE dt BETWEEN ? AND ?
GROUP BY c_ip
ORDER BY requests DESC, bytes_sent DESC, c_ip
LIMIT 20
