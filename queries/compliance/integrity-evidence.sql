-- name: Integrity evidence
-- description: What loglake verify proved per day: the hours its checks covered, how many CloudTrail log files,
--   digests and lake files were validated, and how many checks found a problem (every one is listed in Integrity
--   failures). Only the latest check of each object counts.
-- tables: integrity
-- params: from, to
-- severity: info
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
  count(DISTINCT hour) AS hours_covered,
  sum(CASE WHEN kind = 'log_file' AND verdict = 'valid' THEN 1 ELSE 0 END) AS log_files_valid,
  sum(CASE WHEN kind = 'digest' AND verdict = 'valid' THEN 1 ELSE 0 END) AS digests_valid,
  sum(CASE WHEN kind IN ('parquet_file', 'manifest', 'lake_chain') AND verdict = 'valid' THEN 1 ELSE 0 END) AS lake_objects_valid,
  sum(CASE WHEN verdict NOT IN ('valid', 'unchecked') THEN 1 ELSE 0 END) AS failures,
  sum(CASE WHEN verdict = 'unchecked' THEN 1 ELSE 0 END) AS unchecked,
  max(checked_at) AS last_checked
FROM latest
WHERE n = 1
GROUP BY dt
ORDER BY day
