-- name: EC2 serial console enabled or an SSH key pushed to it
-- description: EnableSerialConsoleAccess (account-wide) or SendSerialConsoleSSHPublicKey, successes and attempts: the serial
--   console reaches an instance without network access, security groups or sshd. Disabling access does not count.
-- tables: cloudtrail
-- params: from, to
-- severity: high
-- report: security
-- section: Lateral Movement
-- schedule: cron(0 6 * * ? *)
-- kind: event
-- tactics: TA0008, TA0003
-- techniques: T1021, T1098.004
-- stratus: aws.lateral-movement.ec2-serial-console-send-ssh-public-key
-- runbook: Check who needed the serial console and on which instance; disable it again (DisableSerialConsoleAccess) and
--   review the instance.
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
  AND (
    (event_source = 'ec2-instance-connect.amazonaws.com' AND event_name = 'SendSerialConsoleSSHPublicKey')
    OR (event_source = 'ec2.amazonaws.com' AND event_name = 'EnableSerialConsoleAccess')
  )
ORDER BY event_time, event_id
