-- name: EC2 Instance Connect keys pushed to many instances by one principal
-- description: One principal pushing SSH public keys with SendSSHPublicKey to 3 or more distinct instances in one clock hour,
--   successes and attempts: each push grants 60 seconds of SSH access as the named OS user.
-- tables: cloudtrail
-- params: from, to
-- severity: medium
-- report: security
-- section: Lateral Movement
-- schedule: cron(0 6 * * ? *)
-- kind: aggregate
-- tactics: TA0008
-- techniques: T1021.004, T1098.004
-- stratus: aws.lateral-movement.ec2-instance-connect
-- runbook: Check which OS users and instances were targeted and the SSH logs on them; disable the caller's credentials if
--   unexpected.
-- actor: user_identity_arn
-- target: first_instance_id
-- chart: user_identity_arn distinct_instances
WITH pushes AS (
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
    AND event_source = 'ec2-instance-connect.amazonaws.com'
    AND event_name = 'SendSSHPublicKey'
    AND user_identity_arn IS NOT NULL
)
SELECT
  min(event_time) AS event_time,
  'SendSSHPublicKey' AS event_name,
  CASE WHEN count(error_code) < count(*) THEN 'success' ELSE 'attempt' END AS outcome,
  user_identity_arn,
  count(DISTINCT instance_id) AS distinct_instances,
  min(instance_id) AS first_instance_id,
  min(source_ip_address) AS source_ip_address,
  min(aws_region) AS aws_region,
  recipient_account_id,
  array_agg(event_id ORDER BY event_time, event_id) AS event_ids
FROM pushes
GROUP BY user_identity_arn, recipient_account_id, date_trunc('hour', event_time)
HAVING count(DISTINCT instance_id) >= 3
ORDER BY event_time, user_identity_arn
