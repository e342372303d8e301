-- name: CloudFront attack signatures
-- description: Requests whose path or query carries a known attack pattern (wp-login, xmlrpc, .env, .git,
--   ../ traversal, /etc/passwd, SQL UNION SELECT, script tags, shell paths, JNDI lookups) or whose user agent
--   names an attack tool (sqlmap, nikto, nmap, masscan, nuclei, gobuster, wpscan…), per client IP.
-- tables: cloudfront
-- params: from, to
-- severity: high
-- report: security
-- section: Initial Access
-- schedule: cron(0 6 * * ? *)
-- kind: aggregate
-- tactics: TA0001
-- techniques: T1190
-- runbook: Check whether any matching request succeeded (2xx) and what the origin did with it; block the client IP
--   and patch the target.
-- actor: c_ip
-- chart: c_ip requests
WITH flagged AS (
  SELECT
    c_ip,
    event_time,
    cs_uri_stem,
    cs_user_agent,
    regexp_like(
      lower(coalesce(cs_uri_stem, '') || '?' || coalesce(cs_uri_query, '')),
      '(wp-login\.php|xmlrpc\.php|/\.env|/\.git/|\.\./|\.\.%2f|%2e%2e|/etc/passwd|phpmyadmin|union(\s|%20|\+)+(all(\s|%20|\+)+)?select|<script|%3cscript|cmd\.exe|/bin/(ba)?sh|\$\{jndi:)'
    ) AS path_match,
    regexp_like(
      lower(coalesce(cs_user_agent, '')),
      '(sqlmap|nikto|nmap|masscan|zgrab|nuclei|dirbuster|gobuster|wpscan|acunetix|nessus|hydra|\$\{jndi:)'
    ) AS agent_match
  FROM cloudfront
  WHERE dt BETWEEN ? AND ?
)
SELECT
  c_ip,
  count(*) AS requests,
  sum(CASE WHEN path_match THEN 1 ELSE 0 END) AS path_matches,
  sum(CASE WHEN agent_match THEN 1 ELSE 0 END) AS user_agent_matches,
  count(DISTINCT cs_uri_stem) AS distinct_paths,
  min(CASE WHEN path_match THEN cs_uri_stem END) AS sample_path,
  min(cs_user_agent) AS user_agent,
  min(event_time) AS first_seen,
  max(event_time) AS last_seen
FROM flagged
WHERE path_match OR agent_match
GROUP BY c_ip
ORDER BY requests DESC, c_ip
