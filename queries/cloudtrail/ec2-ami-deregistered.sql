-- name: AMI deregistered
-- description: EC2 DeregisterImage of an image owned by the account: instances can no longer be launched or rebuilt
--  from it, and with deleteAssociatedSnapshots its data is gone too. Registering or copying images is not a finding;
--  CloudFormation and service-linked roles are left out. Attempts are shown.
-- tables: cloudtrail, detection_allowlist
-- params: from, to
-- severity: medium
-- report: security
-- section: Impact
-- schedule: cron(0 6 * * ? *)
-- kind: event
-- tactics: TA0040
-- techniques: T1485
-- stratus: aws.impact.ec2-deregister-ami
-- runbook: Check whether the image was still in use; re-register it from its snapshot (RegisterImage) if the snapshot
--  remains.
-- actor: user_identity_arn
-- target: image_id
-- chart: event_name
SELECT
  event_time,
  event_name,
  CASE WHEN error_code IS NULL THEN 'success' ELSE 'attempt' END AS outcome,
  user_identity_arn,
  user_identity_type,
  json_extract_scalar(request_parameters, '$.imageId') AS image_id,
  json_extract_scalar(request_parameters, '$.deleteAssociatedSnapshots') AS delete_snapshots,
  source_ip_address,
  aws_region,
  recipient_account_id,
  error_code,
  event_id
FROM cloudtrail
WHERE dt BETWEEN ? AND ?
  AND event_source = 'ec2.amazonaws.com'
  AND event_name = 'DeregisterImage'
  AND coalesce(user_identity_invoked_by, '') <> 'cloudformation.amazonaws.com'
  AND coalesce(user_identity_session_issuer_arn, '') NOT LIKE '%:role/aws-service-role/%'
  AND coalesce(user_identity_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
  AND coalesce(user_identity_session_issuer_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
ORDER BY event_time, event_id
