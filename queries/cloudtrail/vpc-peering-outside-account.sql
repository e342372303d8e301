-- name: VPC peering requested with an unapproved account
-- description: CreateVpcPeeringConnection towards a VPC owned by another AWS account that is not on the approved list
--  (detection_allowlist kind account): once accepted, the other account's network can reach this VPC. Peering within
--  the account or with an approved account is not a finding.
-- tables: cloudtrail, detection_allowlist
-- params: from, to
-- severity: high
-- report: security
-- section: Lateral Movement
-- schedule: cron(0 6 * * ? *)
-- kind: event
-- tactics: TA0008, TA0010
-- techniques: T1599, T1537
-- runbook: Confirm the peer account; delete the peering connection (DeleteVpcPeeringConnection) and any routes to it.
-- actor: user_identity_arn
-- target: vpc_id, peer_owner_id
-- chart: event_name
SELECT
  event_time,
  event_name,
  CASE WHEN error_code IS NULL THEN 'success' ELSE 'attempt' END AS outcome,
  user_identity_arn,
  user_identity_type,
  json_extract_scalar(request_parameters, '$.vpcId') AS vpc_id,
  json_extract_scalar(request_parameters, '$.peerOwnerId') AS peer_owner_id,
  json_extract_scalar(request_parameters, '$.peerVpcId') AS peer_vpc_id,
  source_ip_address,
  aws_region,
  recipient_account_id,
  error_code,
  event_id
FROM cloudtrail
WHERE dt BETWEEN ? AND ?
  AND event_source = 'ec2.amazonaws.com'
  AND event_name = 'CreateVpcPeeringConnection'
  AND coalesce(json_extract_scalar(request_parameters, '$.peerOwnerId'), recipient_account_id) <> recipient_account_id
  AND json_extract_scalar(request_parameters, '$.peerOwnerId') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'account')
  AND coalesce(user_identity_invoked_by, '') <> 'cloudformation.amazonaws.com'
  AND coalesce(user_identity_session_issuer_arn, '') NOT LIKE '%:role/aws-service-role/%'
  AND coalesce(user_identity_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
  AND coalesce(user_identity_session_issuer_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
ORDER BY event_time, event_id
