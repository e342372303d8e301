-- name: CloudTrail digest evidence
-- description: CloudTrail digest files received per day and account: how many, how many log files they cover,
--   the signing algorithm and key fingerprints, and how many start a new chain (no previous digest signature),
--   which happens when logging was stopped and started again. Digests are what validate-logs checks.
-- tables: cloudtrail_digest
-- params: from, to
-- severity: info
-- report: compliance
-- section: Evidence
-- schedule: cron(0 7 1 * ? *)
-- chart: day digests
SELECT
  dt AS day,
  aws_account_id,
  count(*) AS digests,
  sum(log_file_count) AS log_files,
  sum(CASE WHEN previous_digest_signature IS NULL THEN 1 ELSE 0 END) AS chain_starts,
  count(DISTINCT digest_public_key_fingerprint) AS public_keys,
  min(digest_signature_algorithm) AS signature_algorithm,
  min(event_time) AS first_digest_end,
  max(event_time) AS last_digest_end
FROM cloudtrail_digest
WHERE dt BETWEEN ? AND ?
GROUP BY dt, aws_account_id
ORDER BY day, aws_account_id
