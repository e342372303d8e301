-- name: CloudTrail security groups opened to the internet
-- description: Ingress rules added for 0.0.0.0/0 or ::/0, through AuthorizeSecurityGroupIngress or
--   ModifySecurityGroupRules. The CIDR is matched in the raw request so every rule of a multi-rule call counts.
-- tables: cloudtrail
-- params: from, to
-- severity: high
-- report: security
-- section: CloudTrail
-- schedule: cron(0 6 * * ? *)
SELECT
  event_time,
  event_name,
  coalesce(
    json_extract_scalar(request_parameters, '$.groupId'),
    json_extract_scalar(request_parameters, '$.ModifySecurityGroupRulesRequest.GroupId')
  ) AS group_id,
  json_extract_scalar(request_parameters, '$.ipPermissions.items[0].ipProtocol') AS protocol,
  json_extract_scalar(request_parameters, '$.ipPermissions.items[0].fromPort') AS from_port,
  json_extract_scalar(request_parameters, '$.ipPermissions.items[0].toPort') AS to_port,
  coalesce(user_identity_arn, user_identity_principal_id, user_identity_type) AS principal,
  source_ip_address,
  event_id
FROM cloudtrail
WHERE dt BETWEEN ? AND ?
  AND event_source = 'ec2.amazonaws.com'
  AND event_name IN ('AuthorizeSecurityGroupIngress', 'ModifySecurityGroupRules')
  AND error_code IS NULL
  AND regexp_like(request_parameters, '(?i)"cidrip(v4|v6)?"\s*:\s*"(0\.0\.0\.0/0|::/0)"')
ORDER BY event_time, event_id
