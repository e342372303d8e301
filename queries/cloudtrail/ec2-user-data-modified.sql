-- name: EC2 instance user data modified
-- description: ModifyInstanceAttribute setting the userData attribute, successes and attempts: the new script runs as root at
--   the next start, so stopping, changing and starting an instance executes code on it. Other attributes do not
--   count.
-- tables: cloudtrail
-- params: from, to
-- severity: high
-- report: security
-- section: Execution
-- schedule: cron(0 6 * * ? *)
-- kind: event
-- tactics: TA0002, TA0004
-- techniques: T1059.009, T1578
-- stratus: aws.execution.ec2-user-data
-- runbook: Read the instance's current user data (DescribeInstanceAttribute) and compare with the launch template;
--   restore it and check the instance for changes made at boot.
-- actor: user_identity_arn
-- target: instance_id
-- chart: event_name
SELECT
  event_time,
  event_name,
  CASE WHEN error_code IS NULL THEN 'success' ELSE 'attempt' END AS outcome,
  user_identity_arn,
  json_extract_scalar(request_parameters, '$.instanceId') AS instance_id,
  source_ip_address,
  aws_region,
  recipient_account_id,
  error_code,
  event_id
FROM cloudtrail
WHERE dt BETWEEN ? AND ?
  AND event_source = 'ec2.amazonaws.com'
  AND event_name = 'ModifyInstanceAttribute'
  AND (json_extract(request_parameters, '$.userData') IS NOT NULL OR json_extract_scalar(request_parameters, '$.attribute') = 'userData')
  AND coalesce(user_identity_invoked_by, '') <> 'cloudformation.amazonaws.com'
  AND coalesce(user_identity_session_issuer_arn, user_identity_arn, '') NOT LIKE '%/aws-service-role/%'
ORDER BY event_time, event_id
