-- name: CloudFront scanners
-- description: Client IPs that asked for 20 or more distinct paths that do not exist (404) in the period:
--   content discovery and vulnerability scanners walk word lists of paths.
-- tables: cloudfront
-- params: from, to
-- severity: high
-- report: security
-- section: Reconnaissance
-- schedule: cron(0 6 * * ? *)
-- kind: aggregate
-- tactics: TA0043
-- techniques: T1595.003
-- runbook: Block or rate-limit the scanning IP; check whether any of the probed paths exists and answered 2xx.
-- actor: c_ip
-- chart: c_ip distinct_404_paths
SELECT
  c_ip,
  count(DISTINCT CASE WHEN sc_status = 404 THEN cs_uri_stem END) AS distinct_404_paths,
  sum(CASE WHEN sc_status = 404 THEN 1 ELSE 0 END) AS not_found_requests,
  count(*) AS requests,
  min(cs_user_agent) AS user_agent,
  min(event_time) AS first_seen,
  max(event_time) AS last_seen
FROM cloudfront
WHERE dt BETWEEN ? AND ?
GROUP BY c_ip
HAVING count(DISTINCT CASE WHEN sc_status = 404 THEN cs_uri_stem END) >= 20
ORDER BY distinct_404_paths DESC, c_ip
