-- name: EC2 instances terminated in bulk
-- description: Per principal and hour, TerminateInstances covering 5 or more instances (counted from the request's
--  instance list): sabotage or the clean-up after cryptomining. Auto Scaling (service-linked role) scaling in and
--  CloudFormation stack deletions are left out. Attempts are shown.
-- tables: cloudtrail, detection_allowlist
-- params: from, to
-- severity: high
-- report: security
-- section: Impact
-- schedule: cron(0 6 * * ? *)
-- kind: aggregate
-- tactics: TA0040
-- techniques: T1485, T1529
-- runbook: Check which workloads went down and whether the principal's key is compromised; restore from AMIs and
--  snapshots.
-- actor: user_identity_arn
-- target: first_instance_id
-- chart: user_identity_arn instances
SELECT
  min(event_time) AS event_time,
  'TerminateInstances' AS event_name,
  CASE WHEN count_if(error_code IS NULL) > 0 THEN 'success' ELSE 'attempt' END AS outcome,
  user_identity_arn,
  date_trunc('hour', event_time) AS hour_start,
  count(*) AS calls,
  sum(coalesce(json_array_length(json_extract(request_parameters, '$.instancesSet.items')), 1)) AS instances,
  min(json_extract_scalar(request_parameters, '$.instancesSet.items[0].instanceId')) AS first_instance_id,
  min(source_ip_address) AS source_ip_address,
  aws_region,
  recipient_account_id,
  array_agg(event_id ORDER BY event_time, event_id) AS event_ids
FROM cloudtrail
WHERE dt BETWEEN ? AND ?
  AND event_source = 'ec2.amazonaws.com'
  AND event_name = 'TerminateInstances'
  AND coalesce(user_identity_invoked_by, '') <> 'cloudformation.amazonaws.com'
  AND coalesce(user_identity_session_issuer_arn, '') NOT LIKE '%:role/aws-service-role/%'
  AND coalesce(user_identity_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
  AND coalesce(user_identity_session_issuer_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
GROUP BY user_identity_arn, date_trunc('hour', event_time), aws_region, recipient_account_id
HAVING sum(coalesce(json_array_length(json_extract(request_parameters, '$.instancesSet.items')), 1)) >= 5
ORDER BY event_time, user_identity_arn
