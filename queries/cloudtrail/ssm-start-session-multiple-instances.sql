-- name: SSM Session Manager sessions opened on many instances by one principal
-- description: One principal starting Session Manager sessions (StartSession) on 3 or more distinct instances in one clock
--   hour, successes and attempts: an operator connects to the instance they work on, an intruder moves across the
--   fleet.
-- tables: cloudtrail
-- params: from, to
-- severity: medium
-- report: security
-- section: Lateral Movement
-- schedule: cron(0 6 * * ? *)
-- kind: aggregate
-- tactics: TA0008, TA0002
-- techniques: T1021.007, T1651
-- stratus: aws.execution.ssm-start-session, aws.lateral-movement.ssm-start-session
-- runbook: Check the session history (DescribeSessions, session logs) for what was run; terminate open sessions and
--   disable the caller's credentials if unexpected.
-- actor: user_identity_arn
-- target: first_target
-- chart: user_identity_arn distinct_targets
WITH sessions AS (
  SELECT
    event_time,
    event_id,
    error_code,
    user_identity_arn,
    source_ip_address,
    aws_region,
    recipient_account_id,
    json_extract_scalar(request_parameters, '$.target') AS target
  FROM cloudtrail
  WHERE dt BETWEEN ? AND ?
    AND event_source = 'ssm.amazonaws.com'
    AND event_name = 'StartSession'
    AND user_identity_arn IS NOT NULL
)
SELECT
  min(event_time) AS event_time,
  'StartSession' AS event_name,
  CASE WHEN count(error_code) < count(*) THEN 'success' ELSE 'attempt' END AS outcome,
  user_identity_arn,
  count(DISTINCT target) AS distinct_targets,
  min(target) AS first_target,
  min(source_ip_address) AS source_ip_address,
  min(aws_region) AS aws_region,
  recipient_account_id,
  array_agg(event_id ORDER BY event_time, event_id) AS event_ids
FROM sessions
GROUP BY user_identity_arn, recipient_account_id, date_trunc('hour', event_time)
HAVING count(DISTINCT target) >= 3
ORDER BY event_time, user_identity_arn
