-- name: CloudTrail root account usage
-- description: API calls and console actions made with the root user's credentials. Root should be used only
--   for the few tasks that need it, so every call is a finding. Calls an AWS service made on root's behalf
--   (invokedBy) and service events are left out.
-- tables: cloudtrail
-- params: from, to
-- severity: high
-- report: security
-- section: CloudTrail
-- schedule: cron(0 6 * * ? *)
-- chart: event_name
SELECT
  event_time,
  event_name,
  event_source,
  source_ip_address,
  user_agent,
  aws_region,
  error_code,
  recipient_account_id,
  event_id
FROM cloudtrail
WHERE dt BETWEEN ? AND ?
  AND user_identity_type = 'Root'
  AND user_identity_invoked_by IS NULL
  AND coalesce(event_type, '') <> 'AwsServiceEvent'
ORDER BY event_time, event_id
