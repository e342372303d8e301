-- name: EC2 Windows password data requested for many instances
-- description: One principal calling GetPasswordData for 5 or more distinct instances in one clock hour, successes and
--   attempts: the call returns the encrypted administrator password of a Windows instance.
-- tables: cloudtrail
-- params: from, to
-- severity: high
-- report: security
-- section: Credential Access
-- schedule: cron(0 6 * * ? *)
-- kind: aggregate
-- tactics: TA0006
-- techniques: T1552
-- stratus: aws.credential-access.ec2-get-password-data
-- runbook: Check whether the principal manages these Windows instances; if not, disable its credentials and reset the
--   local administrator passwords.
-- actor: user_identity_arn
-- target: first_instance_id
-- chart: user_identity_arn distinct_instances
WITH calls AS (
  SELECT
    event_time,
    event_id,
    error_code,
    user_identity_arn,
    source_ip_address,
    aws_region,
    recipient_account_id,
    json_extract_scalar(request_parameters, '$.instanceId') AS instance_id
  FROM cloudtrail
  WHERE dt BETWEEN ? AND ?
    AND event_source = 'ec2.amazonaws.com'
    AND event_name = 'GetPasswordData'
    AND user_identity_arn IS NOT NULL
)
SELECT
  min(event_time) AS event_time,
  'GetPasswordData' AS event_name,
  CASE WHEN count(error_code) < count(*) THEN 'success' ELSE 'attempt' END AS outcome,
  user_identity_arn,
  count(DISTINCT instance_id) AS distinct_instances,
  min(instance_id) AS first_instance_id,
  min(source_ip_address) AS source_ip_address,
  min(aws_region) AS aws_region,
  recipient_account_id,
  array_agg(event_id ORDER BY event_time, event_id) AS event_ids
FROM calls
GROUP BY user_identity_arn, recipient_account_id, date_trunc('hour', event_time)
HAVING count(DISTINCT instance_id) >= 5
ORDER BY event_time, user_identity_arn
