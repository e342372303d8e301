-- name: CloudTrail security groups opened to the internet
-- description: Ingress rules added or changed (AuthorizeSecurityGroupIngress, ModifySecurityGroupRules) for any
--   IPv4 CIDR wider than the configured prefix (detections.maxPublicPrefix, default /16) or any IPv6 CIDR wider
--   than detections.maxPublicPrefixV6 (default /48), on any port, successful or attempted. Every CIDR of a
--   multi-rule call is read from the raw request; rules naming only security groups or prefix lists are left out.
-- tables: cloudtrail, detection_allowlist
-- params: from, to
-- severity: high
-- report: security
-- section: Defense Evasion
-- schedule: cron(0 6 * * ? *)
-- kind: event
-- tactics: TA0005, TA0001
-- techniques: T1562.007
-- cis: 4.10
-- stratus: aws.exfiltration.ec2-security-group-open-port-22-ingress
-- alert: true
-- runbook: Check which rule was added and whether the service behind it must be reachable from the internet;
--   revoke the rule (RevokeSecurityGroupIngress) or narrow its CIDR.
-- actor: user_identity_arn
-- target: group_id
SELECT
  event_time,
  event_name,
  CASE WHEN error_code IS NULL THEN 'success' ELSE 'attempt' END AS outcome,
  coalesce(
    json_extract_scalar(request_parameters, '$.groupId'),
    json_extract_scalar(request_parameters, '$.ModifySecurityGroupRulesRequest.GroupId')
  ) AS group_id,
  coalesce(
    json_extract_scalar(request_parameters, '$.ipPermissions.items[0].ipProtocol'),
    json_extract_scalar(request_parameters, '$.ModifySecurityGroupRulesRequest.SecurityGroupRule.SecurityRule.IpProtocol')
  ) AS protocol,
  coalesce(
    json_extract_scalar(request_parameters, '$.ipPermissions.items[0].fromPort'),
    json_extract_scalar(request_parameters, '$.ModifySecurityGroupRulesRequest.SecurityGroupRule.SecurityRule.FromPort')
  ) AS from_port,
  coalesce(
    json_extract_scalar(request_parameters, '$.ipPermissions.items[0].toPort'),
    json_extract_scalar(request_parameters, '$.ModifySecurityGroupRulesRequest.SecurityGroupRule.SecurityRule.ToPort')
  ) AS to_port,
  coalesce(user_identity_arn, user_identity_principal_id, user_identity_type) AS user_identity_arn,
  source_ip_address,
  aws_region,
  recipient_account_id,
  error_code,
  event_id
FROM cloudtrail
WHERE dt BETWEEN ? AND ?
  AND event_source = 'ec2.amazonaws.com'
  AND event_name IN ('AuthorizeSecurityGroupIngress', 'ModifySecurityGroupRules')
  AND coalesce(user_identity_invoked_by, '') <> 'cloudformation.amazonaws.com'
  AND (
    -- Prefix lengths of the same digit count compare as text, so the smallest of each width is the widest range.
    CAST(array_min(regexp_extract_all(request_parameters, '(?i)"cidrip(?:v4)?"\s*:\s*"[0-9.]+/([0-9])"', 1)) AS integer)
      < (SELECT CAST(value AS integer) FROM detection_allowlist WHERE kind = 'max_public_prefix')
    OR CAST(array_min(regexp_extract_all(request_parameters, '(?i)"cidrip(?:v4)?"\s*:\s*"[0-9.]+/([0-9]{2})"', 1)) AS integer)
      < (SELECT CAST(value AS integer) FROM detection_allowlist WHERE kind = 'max_public_prefix')
    OR CAST(array_min(regexp_extract_all(request_parameters, '(?i)"cidripv6"\s*:\s*"[0-9a-f:]+/([0-9])"', 1)) AS integer)
      < (SELECT CAST(value AS integer) FROM detection_allowlist WHERE kind = 'max_public_prefix_v6')
    OR CAST(array_min(regexp_extract_all(request_parameters, '(?i)"cidripv6"\s*:\s*"[0-9a-f:]+/([0-9]{2})"', 1)) AS integer)
      < (SELECT CAST(value AS integer) FROM detection_allowlist WHERE kind = 'max_public_prefix_v6')
    OR CAST(array_min(regexp_extract_all(request_parameters, '(?i)"cidripv6"\s*:\s*"[0-9a-f:]+/([0-9]{3})"', 1)) AS integer)
      < (SELECT CAST(value AS integer) FROM detection_allowlist WHERE kind = 'max_public_prefix_v6')
  )
ORDER BY event_time, event_id
