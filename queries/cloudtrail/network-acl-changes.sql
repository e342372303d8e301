-- name: Network ACL changes
-- description: Network ACLs and their entries created, replaced or deleted, and subnet associations replaced, as CIS
--  4.11 asks. Reads, CloudFormation deploys and service-linked roles are left out.
-- tables: cloudtrail, detection_allowlist
-- params: from, to
-- severity: low
-- report: security
-- section: Defense Evasion
-- schedule: cron(0 6 * * ? *)
-- kind: event
-- tactics: TA0005
-- techniques: T1562.007
-- cis: 4.11
-- runbook: Check the change against a change request; restore the previous entries (ReplaceNetworkAclEntry) or
--  association.
-- actor: user_identity_arn
-- target: network_acl_id
-- chart: event_name
SELECT
  event_time,
  event_name,
  CASE WHEN error_code IS NULL THEN 'success' ELSE 'attempt' END AS outcome,
  user_identity_arn,
  user_identity_type,
  coalesce(json_extract_scalar(request_parameters, '$.networkAclId'), json_extract_scalar(response_elements, '$.networkAcl.networkAclId'), json_extract_scalar(request_parameters, '$.vpcId')) AS network_acl_id,
  source_ip_address,
  aws_region,
  recipient_account_id,
  error_code,
  event_id
FROM cloudtrail
WHERE dt BETWEEN ? AND ?
  AND event_source = 'ec2.amazonaws.com'
  AND event_name IN ('CreateNetworkAcl', 'CreateNetworkAclEntry', 'DeleteNetworkAcl', 'DeleteNetworkAclEntry', 'ReplaceNetworkAclEntry', 'ReplaceNetworkAclAssociation')
  AND coalesce(user_identity_invoked_by, '') <> 'cloudformation.amazonaws.com'
  AND coalesce(user_identity_session_issuer_arn, '') NOT LIKE '%:role/aws-service-role/%'
  AND coalesce(user_identity_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
  AND coalesce(user_identity_session_issuer_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
ORDER BY event_time, event_id
