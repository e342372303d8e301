-- name: EC2 user data read for many instances
-- description: One principal reading the userData attribute (DescribeInstanceAttribute) of 5 or more distinct instances in
--   one clock hour: user data often holds bootstrap secrets, and reading it across a fleet is reconnaissance.
-- tables: cloudtrail
-- params: from, to
-- severity: medium
-- report: security
-- section: Discovery
-- schedule: cron(0 6 * * ? *)
-- kind: aggregate
-- tactics: TA0007, TA0006
-- techniques: T1580, T1552.005
-- stratus: aws.discovery.ec2-download-user-data
-- runbook: Check whether the principal manages these instances; if not, disable its credentials and rotate any secret
--   found in the user data.
-- actor: user_identity_arn
-- target: first_instance_id
-- chart: user_identity_arn distinct_instances
WITH reads AS (
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
    AND event_name = 'DescribeInstanceAttribute'
    AND json_extract_scalar(request_parameters, '$.attribute') = 'userData'
    AND user_identity_arn IS NOT NULL
)
SELECT
  min(event_time) AS event_time,
  'DescribeInstanceAttribute' AS event_name,
  CASE WHEN count(error_code) < count(*) THEN 'success' ELSE 'attempt' END AS outcome,
  user_identity_arn,
  count(DISTINCT instance_id) AS distinct_instances,
  min(instance_id) AS first_instance_id,
  min(source_ip_address) AS source_ip_address,
  min(aws_region) AS aws_region,
  recipient_account_id,
  array_agg(event_id ORDER BY event_time, event_id) AS event_ids
FROM reads
GROUP BY user_identity_arn, recipient_account_id, date_trunc('hour', event_time)
HAVING count(DISTINCT instance_id) >= 5
ORDER BY event_time, user_identity_arn
