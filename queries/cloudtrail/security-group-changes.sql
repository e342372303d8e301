-- name: Security group changes
-- description: Security groups created or deleted and their ingress or egress rules authorized, revoked or modified,
--  as CIS 4.10 asks. Reads, CloudFormation deploys and service-linked roles (for example ELB or EKS managing their
--  own groups) are left out; the open-to-the-internet subset has its own detection.
-- tables: cloudtrail, detection_allowlist
-- params: from, to
-- severity: low
-- report: security
-- section: Defense Evasion
-- schedule: cron(0 6 * * ? *)
-- kind: event
-- tactics: TA0005
-- techniques: T1562.007
-- cis: 4.10
-- runbook: Check the change against a change request; revert unexpected rules (RevokeSecurityGroupIngress) or restore
--  the group.
-- actor: user_identity_arn
-- target: group_id
-- chart: event_name
SELECT
  event_time,
  event_name,
  CASE WHEN error_code IS NULL THEN 'success' ELSE 'attempt' END AS outcome,
  user_identity_arn,
  user_identity_type,
  coalesce(json_extract_scalar(request_parameters, '$.groupId'), json_extract_scalar(request_parameters, '$.ModifySecurityGroupRulesRequest.GroupId'), json_extract_scalar(response_elements, '$.groupId'), json_extract_scalar(request_parameters, '$.groupName')) AS group_id,
  source_ip_address,
  aws_region,
  recipient_account_id,
  error_code,
  event_id
FROM cloudtrail
WHERE dt BETWEEN ? AND ?
  AND event_source = 'ec2.amazonaws.com'
  AND event_name IN ('AuthorizeSecurityGroupIngress', 'AuthorizeSecurityGroupEgress', 'RevokeSecurityGroupIngress', 'RevokeSecurityGroupEgress', 'CreateSecurityGroup', 'DeleteSecurityGroup', 'ModifySecurityGroupRules', 'UpdateSecurityGroupRuleDescriptionsIngress', 'UpdateSecurityGroupRuleDescriptionsEgress')
  AND coalesce(user_identity_invoked_by, '') <> 'cloudformation.amazonaws.com'
  AND coalesce(user_identity_session_issuer_arn, '') NOT LIKE '%:role/aws-service-role/%'
  AND coalesce(user_identity_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
  AND coalesce(user_identity_session_issuer_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
ORDER BY event_time, event_id
