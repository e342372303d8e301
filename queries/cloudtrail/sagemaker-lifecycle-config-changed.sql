-- name: SageMaker notebook lifecycle configuration created, changed or attached
-- description: CreateNotebookInstanceLifecycleConfig, UpdateNotebookInstanceLifecycleConfig, or UpdateNotebookInstance that
--   attaches a lifecycle configuration, by a principal other than CloudFormation or a service-linked role: the
--   script runs as root on the notebook with its execution role at every start.
-- tables: cloudtrail
-- params: from, to
-- severity: high
-- report: security
-- section: Execution
-- schedule: cron(0 6 * * ? *)
-- kind: event
-- tactics: TA0002, TA0004, TA0003
-- techniques: T1059, T1098
-- stratus: aws.execution.sagemaker-update-lifecycle-config, aws.privilege-escalation.sagemaker-update-lifecycle-config
-- runbook: Read the lifecycle scripts (DescribeNotebookInstanceLifecycleConfig, base64); detach unknown ones and review
--   what the notebook's role did.
-- actor: user_identity_arn
-- target: lifecycle_config_name, notebook_instance_name
-- chart: event_name
SELECT
  event_time,
  event_name,
  CASE WHEN error_code IS NULL THEN 'success' ELSE 'attempt' END AS outcome,
  user_identity_arn,
  coalesce(json_extract_scalar(request_parameters, '$.notebookInstanceLifecycleConfigName'), json_extract_scalar(request_parameters, '$.lifecycleConfigName')) AS lifecycle_config_name,
  json_extract_scalar(request_parameters, '$.notebookInstanceName') AS notebook_instance_name,
  source_ip_address,
  aws_region,
  recipient_account_id,
  error_code,
  event_id
FROM cloudtrail
WHERE dt BETWEEN ? AND ?
  AND event_source = 'sagemaker.amazonaws.com'
  AND (
    event_name IN ('CreateNotebookInstanceLifecycleConfig', 'UpdateNotebookInstanceLifecycleConfig')
    OR (event_name = 'UpdateNotebookInstance' AND json_extract_scalar(request_parameters, '$.lifecycleConfigName') IS NOT NULL)
  )
  AND coalesce(user_identity_invoked_by, '') <> 'cloudformation.amazonaws.com'
  AND coalesce(user_identity_session_issuer_arn, user_identity_arn, '') NOT LIKE '%/aws-service-role/%'
ORDER BY event_time, event_id
