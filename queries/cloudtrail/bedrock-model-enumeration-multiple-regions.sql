-- name: Bedrock models probed in many regions by one principal
-- description: One principal listing or invoking Bedrock models in 3 or more regions in one clock hour, successes and
--   attempts: LLM hijackers probe where a stolen key may run which model.
-- tables: cloudtrail
-- params: from, to
-- severity: medium
-- report: security
-- section: Discovery
-- schedule: cron(0 6 * * ? *)
-- kind: aggregate
-- tactics: TA0007, TA0040
-- techniques: T1580, T1496
-- stratus: aws.discovery.bedrock-enumerate-models-multiple-regions
-- runbook: Check whether the principal is a known AI workload; if not, disable its credentials and review Bedrock usage
--   and cost.
-- actor: user_identity_arn
-- target: regions
-- chart: user_identity_arn regions
WITH calls AS (
  SELECT event_time, event_id, event_name, error_code, user_identity_arn, source_ip_address, aws_region, recipient_account_id
  FROM cloudtrail
  WHERE dt BETWEEN ? AND ?
    AND event_source = 'bedrock.amazonaws.com'
    AND event_name IN ('InvokeModel', 'InvokeModelWithResponseStream', 'Converse', 'ConverseStream', 'ListFoundationModels', 'GetFoundationModelAvailability')
    AND user_identity_arn IS NOT NULL
)
SELECT
  min(event_time) AS event_time,
  min(event_name) AS event_name,
  CASE WHEN count(error_code) < count(*) THEN 'success' ELSE 'attempt' END AS outcome,
  user_identity_arn,
  count(DISTINCT aws_region) AS regions,
  min(source_ip_address) AS source_ip_address,
  min(aws_region) AS aws_region,
  recipient_account_id,
  array_agg(event_id ORDER BY event_time, event_id) AS event_ids
FROM calls
GROUP BY user_identity_arn, recipient_account_id, date_trunc('hour', event_time)
HAVING count(DISTINCT aws_region) >= 3
ORDER BY event_time, user_identity_arn
