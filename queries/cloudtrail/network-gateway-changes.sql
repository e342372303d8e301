-- name: Network gateway changes
-- description: Internet, egress-only, NAT, customer, VPN and transit gateways created, deleted, attached or detached,
--  as CIS 4.12 asks: each changes how traffic leaves or enters the network. Reads, CloudFormation deploys and
--  service-linked roles are left out.
-- tables: cloudtrail, detection_allowlist
-- params: from, to
-- severity: medium
-- report: security
-- section: Defense Evasion
-- schedule: cron(0 6 * * ? *)
-- kind: event
-- tactics: TA0005
-- techniques: T1562.007
-- cis: 4.12
-- runbook: Check the change against a change request; detach or delete an unexpected gateway and restore a removed
--  one.
-- actor: user_identity_arn
-- target: gateway_id, vpc_id
-- chart: event_name
SELECT
  event_time,
  event_name,
  CASE WHEN error_code IS NULL THEN 'success' ELSE 'attempt' END AS outcome,
  user_identity_arn,
  user_identity_type,
  coalesce(json_extract_scalar(request_parameters, '$.internetGatewayId'), json_extract_scalar(response_elements, '$.internetGateway.internetGatewayId'), json_extract_scalar(request_parameters, '$.DeleteNatGatewayRequest.NatGatewayId'), json_extract_scalar(response_elements, '$.CreateNatGatewayResponse.natGateway.natGatewayId'), json_extract_scalar(request_parameters, '$.customerGatewayId'), json_extract_scalar(request_parameters, '$.vpnGatewayId'), json_extract_scalar(request_parameters, '$.DeleteTransitGatewayRequest.TransitGatewayId')) AS gateway_id,
  json_extract_scalar(request_parameters, '$.vpcId') AS vpc_id,
  source_ip_address,
  aws_region,
  recipient_account_id,
  error_code,
  event_id
FROM cloudtrail
WHERE dt BETWEEN ? AND ?
  AND event_source = 'ec2.amazonaws.com'
  AND event_name IN ('CreateInternetGateway', 'DeleteInternetGateway', 'AttachInternetGateway', 'DetachInternetGateway', 'CreateEgressOnlyInternetGateway', 'DeleteEgressOnlyInternetGateway', 'CreateNatGateway', 'DeleteNatGateway', 'CreateCustomerGateway', 'DeleteCustomerGateway', 'CreateVpnGateway', 'DeleteVpnGateway', 'AttachVpnGateway', 'DetachVpnGateway', 'CreateTransitGateway', 'DeleteTransitGateway', 'CreateTransitGatewayVpcAttachment', 'DeleteTransitGatewayVpcAttachment')
  AND coalesce(user_identity_invoked_by, '') <> 'cloudformation.amazonaws.com'
  AND coalesce(user_identity_session_issuer_arn, '') NOT LIKE '%:role/aws-service-role/%'
  AND coalesce(user_identity_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
  AND coalesce(user_identity_session_issuer_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
ORDER BY event_time, event_id
