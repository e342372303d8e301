-- name: Integrity failures
-- description: Every check whose latest result is a finding: a modified, missing or uncovered CloudTrail log file,
--   a broken or restarted digest chain, a changed, removed or added lake file, a rewritten manifest.
-- tables: integrity
-- params: from, to
-- severity: high
-- report: compliance
-- section: Integrity evidence
-- schedule: cron(0 7 1 * ? *)
WITH latest AS (
  SELECT *, row_number() OVER (PARTITION BY checked_object, kind ORDER BY checked_at DESC) AS n
  FROM integrity
  WHERE dt BETWEEN ? AND ?
)
SELECT
  dt AS day,
  hour,
  verdict,
  kind,
  checked_object,
  detail,
  checked_at
FROM latest
WHERE n = 1 AND verdict NOT IN ('valid', 'unchecked')
ORDER BY day, hour, checked_object, kind
