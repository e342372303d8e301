-- name: Network ACL entry allowing inbound traffic from a wide range
-- description: An inbound ALLOW entry added or replaced for an IPv4 CIDR wider than the configured prefix
--  (detection_allowlist max_public_prefix, /16 by default) or an IPv6 CIDR wider than max_public_prefix_v6 (/48), on
--  any protocol and port, private RFC 1918 ranges excepted. Deny entries, egress entries and narrow ranges are not
--  findings.
-- tables: cloudtrail, detection_allowlist
-- params: from, to
-- severity: high
-- report: security
-- section: Defense Evasion
-- schedule: cron(0 6 * * ? *)
-- kind: event
-- tactics: TA0005
-- techniques: T1562.007
-- runbook: Check whether the subnet should be reachable from that range; replace the entry with a narrower CIDR or
--  delete it.
-- actor: user_identity_arn
-- target: network_acl_id
-- chart: event_name
SELECT
  event_time,
  event_name,
  CASE WHEN error_code IS NULL THEN 'success' ELSE 'attempt' END AS outcome,
  user_identity_arn,
  user_identity_type,
  json_extract_scalar(request_parameters, '$.networkAclId') AS network_acl_id,
  coalesce(json_extract_scalar(request_parameters, '$.cidrBlock'), json_extract_scalar(request_parameters, '$.ipv6CidrBlock')) AS cidr,
  json_extract_scalar(request_parameters, '$.protocol') AS protocol,
  json_extract_scalar(request_parameters, '$.ruleNumber') AS rule_number,
  source_ip_address,
  aws_region,
  recipient_account_id,
  error_code,
  event_id
FROM cloudtrail
WHERE dt BETWEEN ? AND ?
  AND event_source = 'ec2.amazonaws.com'
  AND event_name IN ('CreateNetworkAclEntry', 'ReplaceNetworkAclEntry')
  AND lower(json_extract_scalar(request_parameters, '$.ruleAction')) = 'allow'
  AND coalesce(json_extract_scalar(request_parameters, '$.egress'), 'false') = 'false'
  AND (
    (
      try_cast(split_part(json_extract_scalar(request_parameters, '$.cidrBlock'), '/', 2) AS integer)
        < (SELECT coalesce(try_cast(max(value) AS integer), 16) FROM detection_allowlist WHERE kind = 'max_public_prefix')
      AND NOT regexp_like(json_extract_scalar(request_parameters, '$.cidrBlock'), '^(10\.|172\.(1[6-9]|2[0-9]|3[01])\.|192\.168\.)')
    )
    OR try_cast(split_part(json_extract_scalar(request_parameters, '$.ipv6CidrBlock'), '/', 2) AS integer)
      < (SELECT coalesce(try_cast(max(value) AS integer), 48) FROM detection_allowlist WHERE kind = 'max_public_prefix_v6')
  )
  AND coalesce(user_identity_invoked_by, '') <> 'cloudformation.amazonaws.com'
  AND coalesce(user_identity_session_issuer_arn, '') NOT LIKE '%:role/aws-service-role/%'
  AND coalesce(user_identity_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
  AND coalesce(user_identity_session_issuer_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
ORDER BY event_time, event_id
