-- name: Route table changes
-- description: Route tables and routes created, replaced or deleted and subnet associations changed, as CIS 4.13
--  asks: a new route can send traffic through an attacker's gateway or peering. Reads, CloudFormation deploys and
--  service-linked roles are left out.
-- tables: cloudtrail, detection_allowlist
-- params: from, to
-- severity: low
-- report: security
-- section: Defense Evasion
-- schedule: cron(0 6 * * ? *)
-- kind: event
-- tactics: TA0005
-- techniques: T1562.007
-- cis: 4.13
-- runbook: Check the new route's target (gateway, peering, instance) and the change request; delete or replace the
--  route.
-- actor: user_identity_arn
-- target: route_table_id
-- chart: event_name
SELECT
  event_time,
  event_name,
  CASE WHEN error_code IS NULL THEN 'success' ELSE 'attempt' END AS outcome,
  user_identity_arn,
  user_identity_type,
  coalesce(json_extract_scalar(request_parameters, '$.routeTableId'), json_extract_scalar(request_parameters, '$.associationId'), json_extract_scalar(response_elements, '$.routeTable.routeTableId')) AS route_table_id,
  coalesce(json_extract_scalar(request_parameters, '$.destinationCidrBlock'), json_extract_scalar(request_parameters, '$.destinationIpv6CidrBlock')) AS destination,
  source_ip_address,
  aws_region,
  recipient_account_id,
  error_code,
  event_id
FROM cloudtrail
WHERE dt BETWEEN ? AND ?
  AND event_source = 'ec2.amazonaws.com'
  AND event_name IN ('CreateRoute', 'CreateRouteTable', 'ReplaceRoute', 'ReplaceRouteTableAssociation', 'DeleteRouteTable', 'DeleteRoute', 'DisassociateRouteTable', 'AssociateRouteTable')
  AND coalesce(user_identity_invoked_by, '') <> 'cloudformation.amazonaws.com'
  AND coalesce(user_identity_session_issuer_arn, '') NOT LIKE '%:role/aws-service-role/%'
  AND coalesce(user_identity_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
  AND coalesce(user_identity_session_issuer_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
ORDER BY event_time, event_id
