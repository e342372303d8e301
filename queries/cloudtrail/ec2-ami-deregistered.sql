-- name: AMI deregistered by a person or an unknown principal
-- description: DeregisterImage, successes and attempts, not made by an AWS service on the caller's behalf (Data Lifecycle
--   Manager, Image Builder), CloudFormation or a service-linked role: deleting images destroys recovery and build
--   baselines.
-- tables: cloudtrail
-- params: from, to
-- severity: medium
-- report: security
-- section: Impact
-- schedule: cron(0 6 * * ? *)
-- kind: event
-- tactics: TA0040
-- techniques: T1485
-- stratus: aws.impact.ec2-deregister-ami
-- runbook: Check whether the image was still in use (launch templates, Auto Scaling); re-register it from its snapshot if
--   needed (the snapshot is kept unless deleteAssociatedSnapshots was set).
-- actor: user_identity_arn
-- target: image_id
-- chart: event_name
SELECT
  event_time,
  event_name,
  CASE WHEN error_code IS NULL THEN 'success' ELSE 'attempt' END AS outcome,
  user_identity_arn,
  json_extract_scalar(request_parameters, '$.imageId') AS image_id,
  json_extract_scalar(request_parameters, '$.deleteAssociatedSnapshots') AS delete_associated_snapshots,
  source_ip_address,
  aws_region,
  recipient_account_id,
  error_code,
  event_id
FROM cloudtrail
WHERE dt BETWEEN ? AND ?
  AND event_source = 'ec2.amazonaws.com'
  AND event_name = 'DeregisterImage'
  AND user_identity_invoked_by IS NULL
  AND coalesce(user_identity_invoked_by, '') <> 'cloudformation.amazonaws.com'
  AND coalesce(user_identity_session_issuer_arn, user_identity_arn, '') NOT LIKE '%/aws-service-role/%'
ORDER BY event_time, event_id
