-- name: VPC flow logs deleted
-- description: DeleteFlowLogs: network traffic of the VPC, subnet or interface is no longer recorded. Creating flow
--  logs is not a finding; CloudFormation stack teardowns and service-linked roles are left out. Attempts are shown.
-- tables: cloudtrail, detection_allowlist
-- params: from, to
-- severity: high
-- report: security
-- section: Defense Evasion
-- schedule: cron(0 6 * * ? *)
-- kind: event
-- tactics: TA0005
-- techniques: T1562.008
-- stratus: aws.defense-evasion.vpc-remove-flow-logs
-- runbook: Check whether the VPC itself was being deleted; if not, recreate the flow log (CreateFlowLogs) and review
--  the gap.
-- actor: user_identity_arn
-- target: flow_log_ids
-- chart: event_name
SELECT
  event_time,
  event_name,
  CASE WHEN error_code IS NULL THEN 'success' ELSE 'attempt' END AS outcome,
  user_identity_arn,
  user_identity_type,
  coalesce(json_extract_scalar(request_parameters, '$.DeleteFlowLogsRequest.FlowLogId.content'), json_extract_scalar(request_parameters, '$.DeleteFlowLogsRequest.FlowLogId[0].content')) AS flow_log_ids,
  source_ip_address,
  aws_region,
  recipient_account_id,
  error_code,
  event_id
FROM cloudtrail
WHERE dt BETWEEN ? AND ?
  AND event_source = 'ec2.amazonaws.com'
  AND event_name = 'DeleteFlowLogs'
  AND coalesce(user_identity_invoked_by, '') <> 'cloudformation.amazonaws.com'
  AND coalesce(user_identity_session_issuer_arn, '') NOT LIKE '%:role/aws-service-role/%'
  AND coalesce(user_identity_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
  AND coalesce(user_identity_session_issuer_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
ORDER BY event_time, event_id
