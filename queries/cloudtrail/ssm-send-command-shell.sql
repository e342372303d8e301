-- name: SSM Run Command used to run shell commands on instances
-- description: SendCommand with a document that runs arbitrary commands (AWS-RunShellScript, AWS-RunPowerShellScript,
--   AWS-RunRemoteScript) by a principal that is not approved, not CloudFormation, not a service-linked role and
--   not SSM itself (State Manager, maintenance windows). Patching and inventory documents do not count.
-- tables: cloudtrail, detection_allowlist
-- params: from, to
-- severity: high
-- report: security
-- section: Execution
-- schedule: cron(0 6 * * ? *)
-- kind: event
-- tactics: TA0002, TA0008
-- techniques: T1651
-- stratus: aws.execution.ssm-send-command
-- runbook: Check the command invocation (ListCommandInvocations) for what ran and on which instances; if unexpected,
--   isolate the instances and disable the caller's credentials.
-- actor: user_identity_arn
-- target: document_name, instance_ids
-- chart: event_name
SELECT
  event_time,
  event_name,
  CASE WHEN error_code IS NULL THEN 'success' ELSE 'attempt' END AS outcome,
  user_identity_arn,
  json_extract_scalar(request_parameters, '$.documentName') AS document_name,
  regexp_extract(request_parameters, '"instanceIds"\s*:\s*(\[[^\]]*\])', 1) AS instance_ids,
  source_ip_address,
  aws_region,
  recipient_account_id,
  error_code,
  event_id
FROM cloudtrail
WHERE dt BETWEEN ? AND ?
  AND event_source = 'ssm.amazonaws.com'
  AND event_name = 'SendCommand'
  AND json_extract_scalar(request_parameters, '$.documentName') IN ('AWS-RunShellScript', 'AWS-RunPowerShellScript', 'AWS-RunRemoteScript')
  AND coalesce(user_identity_invoked_by, '') <> 'ssm.amazonaws.com'
  AND coalesce(user_identity_invoked_by, '') <> 'cloudformation.amazonaws.com'
  AND coalesce(user_identity_session_issuer_arn, user_identity_arn, '') NOT LIKE '%/aws-service-role/%'
  AND coalesce(user_identity_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
  AND coalesce(user_identity_session_issuer_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
ORDER BY event_time, event_id
