-- name: RDS snapshot made public or shared with an outside account
-- description: ModifyDBSnapshotAttribute or ModifyDBClusterSnapshotAttribute adding the restore attribute for "all" (public)
--   or for an account other than this one and those approved for sharing: the other account can restore the
--   database.
-- tables: cloudtrail, detection_allowlist
-- params: from, to
-- severity: high
-- report: security
-- section: Exfiltration
-- schedule: cron(0 6 * * ? *)
-- kind: event
-- tactics: TA0010
-- techniques: T1537
-- stratus: aws.exfiltration.rds-share-snapshot
-- alert: true
-- runbook: Check the snapshot and the accounts added; remove them (valuesToRemove) and treat the database content as
--   exposed.
-- actor: user_identity_arn
-- target: snapshot_id
-- chart: event_name
SELECT
  event_time,
  event_name,
  CASE WHEN error_code IS NULL THEN 'success' ELSE 'attempt' END AS outcome,
  user_identity_arn,
  coalesce(json_extract_scalar(request_parameters, '$.dBSnapshotIdentifier'), json_extract_scalar(request_parameters, '$.dBClusterSnapshotIdentifier')) AS snapshot_id,
  regexp_extract(request_parameters, '"valuesToAdd"\s*:\s*\[([^\]]*)\]', 1) AS added,
  source_ip_address,
  aws_region,
  recipient_account_id,
  error_code,
  event_id
FROM cloudtrail
WHERE dt BETWEEN ? AND ?
  AND event_source = 'rds.amazonaws.com'
  AND event_name IN ('ModifyDBSnapshotAttribute', 'ModifyDBClusterSnapshotAttribute')
  AND json_extract_scalar(request_parameters, '$.attributeName') = 'restore'
  AND (
    regexp_like(coalesce(regexp_extract(request_parameters, '"valuesToAdd"\s*:\s*\[([^\]]*)\]', 1), ''), '"all"')
    OR EXISTS (
      SELECT 1
      FROM UNNEST(regexp_extract_all(regexp_extract(request_parameters, '"valuesToAdd"\s*:\s*\[([^\]]*)\]', 1), '\b(\d{12})\b', 1)) AS a (account_id)
      WHERE account_id <> recipient_account_id
        AND account_id NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'account')
    )
  )
ORDER BY event_time, event_id
