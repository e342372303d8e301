-- name: SSM Run Command sent to many instances by one principal
-- description: One principal targeting 3 or more instances (listed ids, or a tag or resource-group target) with SendCommand
--   in one clock hour, excluding SSM's own State Manager and maintenance windows, CloudFormation and
--   service-linked roles.
-- tables: cloudtrail
-- params: from, to
-- severity: high
-- report: security
-- section: Execution
-- schedule: cron(0 6 * * ? *)
-- kind: aggregate
-- tactics: TA0002, TA0008
-- techniques: T1651, T1021
-- stratus: aws.execution.ssm-send-command
-- runbook: Check which documents ran on which instances (ListCommandInvocations); if unexpected, isolate the instances
--   and disable the caller's credentials.
-- actor: user_identity_arn
-- target: first_document
-- chart: user_identity_arn targeted_instances
WITH commands AS (
  SELECT
    event_time,
    event_id,
    error_code,
    user_identity_arn,
    source_ip_address,
    aws_region,
    recipient_account_id,
    json_extract_scalar(request_parameters, '$.documentName') AS document_name,
    CASE
      WHEN json_extract(request_parameters, '$.targets') IS NOT NULL THEN 3
      ELSE coalesce(json_array_length(json_extract(request_parameters, '$.instanceIds')), 0)
    END AS instances
  FROM cloudtrail
  WHERE dt BETWEEN ? AND ?
    AND event_source = 'ssm.amazonaws.com'
    AND event_name = 'SendCommand'
    AND user_identity_arn IS NOT NULL
    AND coalesce(user_identity_invoked_by, '') <> 'ssm.amazonaws.com'
    AND coalesce(user_identity_invoked_by, '') <> 'cloudformation.amazonaws.com'
    AND coalesce(user_identity_session_issuer_arn, user_identity_arn, '') NOT LIKE '%/aws-service-role/%'
)
SELECT
  min(event_time) AS event_time,
  'SendCommand' AS event_name,
  CASE WHEN count(error_code) < count(*) THEN 'success' ELSE 'attempt' END AS outcome,
  user_identity_arn,
  sum(instances) AS targeted_instances,
  min(document_name) AS first_document,
  min(source_ip_address) AS source_ip_address,
  min(aws_region) AS aws_region,
  recipient_account_id,
  array_agg(event_id ORDER BY event_time, event_id) AS event_ids
FROM commands
GROUP BY user_identity_arn, recipient_account_id, date_trunc('hour', event_time)
HAVING sum(instances) >= 3
ORDER BY event_time, user_identity_arn
