-- name: VPC changes
-- description: VPCs created, deleted or modified, peering connections requested, accepted, rejected or deleted,
--  ClassicLink enabled or attached, and VPC endpoints created, modified or deleted, as CIS 4.14 asks. Reads,
--  CloudFormation deploys and service-linked roles are left out.
-- tables: cloudtrail, detection_allowlist
-- params: from, to
-- severity: low
-- report: security
-- section: Defense Evasion
-- schedule: cron(0 6 * * ? *)
-- kind: event
-- tactics: TA0005
-- techniques: T1562.007
-- cis: 4.14
-- runbook: Check the change against a change request; delete unexpected peerings or endpoints and restore modified
--  attributes.
-- actor: user_identity_arn
-- target: vpc_id
-- chart: event_name
SELECT
  event_time,
  event_name,
  CASE WHEN error_code IS NULL THEN 'success' ELSE 'attempt' END AS outcome,
  user_identity_arn,
  user_identity_type,
  coalesce(json_extract_scalar(request_parameters, '$.vpcId'), json_extract_scalar(request_parameters, '$.CreateVpcEndpointRequest.VpcId'), json_extract_scalar(request_parameters, '$.vpcPeeringConnectionId'), json_extract_scalar(response_elements, '$.vpc.vpcId')) AS vpc_id,
  source_ip_address,
  aws_region,
  recipient_account_id,
  error_code,
  event_id
FROM cloudtrail
WHERE dt BETWEEN ? AND ?
  AND event_source = 'ec2.amazonaws.com'
  AND event_name IN ('CreateVpc', 'DeleteVpc', 'ModifyVpcAttribute', 'AcceptVpcPeeringConnection', 'CreateVpcPeeringConnection', 'DeleteVpcPeeringConnection', 'RejectVpcPeeringConnection', 'AttachClassicLinkVpc', 'DetachClassicLinkVpc', 'DisableVpcClassicLink', 'EnableVpcClassicLink', 'CreateVpcEndpoint', 'ModifyVpcEndpoint', 'DeleteVpcEndpoints')
  AND coalesce(user_identity_invoked_by, '') <> 'cloudformation.amazonaws.com'
  AND coalesce(user_identity_session_issuer_arn, '') NOT LIKE '%:role/aws-service-role/%'
  AND coalesce(user_identity_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
  AND coalesce(user_identity_session_issuer_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
ORDER BY event_time, event_id
