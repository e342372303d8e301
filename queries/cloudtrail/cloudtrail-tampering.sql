-- name: CloudTrail tampering
-- description: Attempts to stop, delete or narrow CloudTrail logging (StopLogging, DeleteTrail, UpdateTrail,
--   PutEventSelectors), successful or not: a denied attempt still shows intent. error_code is empty when the
--   change went through.
-- tables: cloudtrail
-- params: from, to
-- severity: critical
-- report: security
-- section: CloudTrail
-- schedule: cron(0 6 * * ? *)
SELECT
  event_time,
  event_name,
  coalesce(
    json_extract_scalar(request_parameters, '$.name'),
    json_extract_scalar(request_parameters, '$.trailName')
  ) AS trail,
  coalesce(user_identity_arn, user_identity_principal_id, user_identity_type) AS principal,
  source_ip_address,
  error_code,
  event_id
FROM cloudtrail
WHERE dt BETWEEN ? AND ?
  AND event_source = 'cloudtrail.amazonaws.com'
  AND event_name IN ('StopLogging', 'DeleteTrail', 'UpdateTrail', 'PutEventSelectors')
ORDER BY event_time, event_id
