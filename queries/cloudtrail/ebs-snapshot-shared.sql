-- name: EBS snapshot made public or shared with an outside account
-- description: ModifySnapshotAttribute adding createVolumePermission for group "all" (public) or for an account other than
--   this one and those approved for sharing: the other account can create a volume from the snapshot and read the
--   disk.
-- tables: cloudtrail, detection_allowlist
-- params: from, to
-- severity: high
-- report: security
-- section: Exfiltration
-- schedule: cron(0 6 * * ? *)
-- kind: event
-- tactics: TA0010
-- techniques: T1537
-- stratus: aws.exfiltration.ec2-share-ebs-snapshot
-- alert: true
-- runbook: Check the snapshot and the account it was shared with; remove the permission (ModifySnapshotAttribute remove)
--   and find what disk it holds.
-- actor: user_identity_arn
-- target: snapshot_id
-- chart: event_name
SELECT
  event_time,
  event_name,
  CASE WHEN error_code IS NULL THEN 'success' ELSE 'attempt' END AS outcome,
  user_identity_arn,
  json_extract_scalar(request_parameters, '$.snapshotId') AS snapshot_id,
  regexp_extract(request_parameters, '"add"\s*:\s*\{[^{}]*"items"\s*:\s*\[([^\]]*)\]', 1) AS added,
  source_ip_address,
  aws_region,
  recipient_account_id,
  error_code,
  event_id
FROM cloudtrail
WHERE dt BETWEEN ? AND ?
  AND event_source = 'ec2.amazonaws.com'
  AND event_name = 'ModifySnapshotAttribute'
  AND (
    regexp_like(coalesce(regexp_extract(request_parameters, '"add"\s*:\s*\{[^{}]*"items"\s*:\s*\[([^\]]*)\]', 1), ''), '"group"\s*:\s*"all"')
    OR EXISTS (
      SELECT 1
      FROM UNNEST(regexp_extract_all(regexp_extract(request_parameters, '"add"\s*:\s*\{[^{}]*"items"\s*:\s*\[([^\]]*)\]', 1), '"userId"\s*:\s*"(\d{12})"', 1)) AS a (account_id)
      WHERE account_id <> recipient_account_id
        AND account_id NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'account')
    )
  )
ORDER BY event_time, event_id
