-- name: CloudWatch Logs subscription removed
-- description: DeleteSubscriptionFilter, DeleteDestination, or DeleteAccountPolicy of a subscription filter policy:
--  log events stop flowing to the stream, Firehose or Lambda that ships them to the lake. Putting a subscription is
--  not a finding.
-- tables: cloudtrail, detection_allowlist
-- params: from, to
-- severity: high
-- report: security
-- section: Defense Evasion
-- schedule: cron(0 6 * * ? *)
-- kind: event
-- tactics: TA0005
-- techniques: T1562.008
-- runbook: Check which log group stopped shipping and since when; put the subscription filter back
--  (PutSubscriptionFilter).
-- actor: user_identity_arn
-- target: log_group
-- chart: event_name
SELECT
  event_time,
  event_name,
  CASE WHEN error_code IS NULL THEN 'success' ELSE 'attempt' END AS outcome,
  user_identity_arn,
  user_identity_type,
  coalesce(json_extract_scalar(request_parameters, '$.logGroupName'), json_extract_scalar(request_parameters, '$.destinationName'), json_extract_scalar(request_parameters, '$.policyName')) AS log_group,
  json_extract_scalar(request_parameters, '$.filterName') AS filter_name,
  source_ip_address,
  aws_region,
  recipient_account_id,
  error_code,
  event_id
FROM cloudtrail
WHERE dt BETWEEN ? AND ?
  AND event_source = 'logs.amazonaws.com'
  AND event_name IN ('DeleteSubscriptionFilter', 'DeleteDestination', 'DeleteAccountPolicy')
  AND (event_name <> 'DeleteAccountPolicy' OR json_extract_scalar(request_parameters, '$.policyType') = 'SUBSCRIPTION_FILTER_POLICY')
  AND coalesce(user_identity_invoked_by, '') <> 'cloudformation.amazonaws.com'
  AND coalesce(user_identity_session_issuer_arn, '') NOT LIKE '%:role/aws-service-role/%'
  AND coalesce(user_identity_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
  AND coalesce(user_identity_session_issuer_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
ORDER BY event_time, event_id
