-- name: Bedrock model invoked with an IAM user's long-term access key
-- description: InvokeModel, InvokeModelWithResponseStream, Converse or ConverseStream signed with a long-term access key
--   (AKIA...) of an IAM user or root, successes and attempts: applications call Bedrock with role sessions, while
--   LLM hijacking runs on leaked user keys.
-- tables: cloudtrail
-- params: from, to
-- severity: medium
-- report: security
-- section: Impact
-- schedule: cron(0 6 * * ? *)
-- kind: event
-- tactics: TA0040
-- techniques: T1496, T1078.004
-- stratus: aws.impact.bedrock-invoke-model
-- runbook: Check where the key is used from and by whom; rotate it, and review Bedrock invocation logs and cost for the
--   period.
-- actor: user_identity_arn
-- target: model_id
-- chart: event_name
SELECT
  event_time,
  event_name,
  CASE WHEN error_code IS NULL THEN 'success' ELSE 'attempt' END AS outcome,
  user_identity_arn,
  json_extract_scalar(request_parameters, '$.modelId') AS model_id,
  user_identity_access_key_id,
  source_ip_address,
  aws_region,
  recipient_account_id,
  error_code,
  event_id
FROM cloudtrail
WHERE dt BETWEEN ? AND ?
  AND event_source = 'bedrock.amazonaws.com'
  AND event_name IN ('InvokeModel', 'InvokeModelWithResponseStream', 'Converse', 'ConverseStream')
  AND user_identity_type IN ('IAMUser', 'Root')
  AND user_identity_access_key_id LIKE 'AKIA%'
ORDER BY event_time, event_id
