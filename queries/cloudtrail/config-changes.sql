-- name: AWS Config recorder and delivery channel changes
-- description: Changes to what AWS Config records and where it delivers (StopConfigurationRecorder,
--  DeleteConfigurationRecorder, PutConfigurationRecorder, DeleteDeliveryChannel, PutDeliveryChannel), successful or
--  attempted, as CIS 4.9 asks. Starting the recorder and reads are not changes; CloudFormation deploys and
--  service-linked roles are left out.
-- tables: cloudtrail, detection_allowlist
-- params: from, to
-- severity: medium
-- report: security
-- section: Defense Evasion
-- schedule: cron(0 6 * * ? *)
-- kind: event
-- tactics: TA0005
-- techniques: T1562.001
-- cis: 4.9
-- runbook: Check who changed the recorder or channel and why; restore recording of all resource types and the
--  delivery bucket (StartConfigurationRecorder).
-- actor: user_identity_arn
-- target: config_resource
-- chart: event_name
SELECT
  event_time,
  event_name,
  CASE WHEN error_code IS NULL THEN 'success' ELSE 'attempt' END AS outcome,
  user_identity_arn,
  user_identity_type,
  coalesce(json_extract_scalar(request_parameters, '$.configurationRecorderName'), json_extract_scalar(request_parameters, '$.configurationRecorder.name'), json_extract_scalar(request_parameters, '$.deliveryChannelName'), json_extract_scalar(request_parameters, '$.deliveryChannel.name')) AS config_resource,
  source_ip_address,
  aws_region,
  recipient_account_id,
  error_code,
  event_id
FROM cloudtrail
WHERE dt BETWEEN ? AND ?
  AND event_source = 'config.amazonaws.com'
  AND event_name IN ('StopConfigurationRecorder', 'DeleteConfigurationRecorder', 'PutConfigurationRecorder', 'DeleteDeliveryChannel', 'PutDeliveryChannel')
  AND coalesce(user_identity_invoked_by, '') <> 'cloudformation.amazonaws.com'
  AND coalesce(user_identity_session_issuer_arn, '') NOT LIKE '%:role/aws-service-role/%'
  AND coalesce(user_identity_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
  AND coalesce(user_identity_session_issuer_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
ORDER BY event_time, event_id
