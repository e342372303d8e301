-- name: EC2 instance role credentials used from more than one public IP
-- description: Calls made with one instance's role session (assumed-role/<role>/i-...) from 2 or more distinct public source
--   IPs in the period: an instance leaves through one address (its own or its NAT gateway), so a second public
--   address means the credentials were taken from the metadata service and used elsewhere. Private addresses (VPC
--   endpoints) and AWS service names do not count.
-- tables: cloudtrail
-- params: from, to
-- severity: high
-- report: security
-- section: Credential Access
-- schedule: cron(0 6 * * ? *)
-- kind: aggregate
-- tactics: TA0006, TA0005
-- techniques: T1552.005, T1078.004
-- stratus: aws.credential-access.ec2-steal-instance-credentials
-- runbook: Compare the addresses with the instance's public IP and NAT gateways; if one is foreign, revoke the role's
--   sessions (AWSRevokeOlderSessions), require IMDSv2 and check the instance for compromise.
-- actor: user_identity_arn
-- target: instance_id
-- chart: instance_id public_ips
WITH calls AS (
  SELECT
    event_time,
    event_id,
    event_name,
    error_code,
    user_identity_arn,
    regexp_extract(user_identity_arn, '/(i-[0-9a-f]+)$', 1) AS instance_id,
    source_ip_address,
    aws_region,
    recipient_account_id
  FROM cloudtrail
  WHERE dt BETWEEN ? AND ?
    AND user_identity_type = 'AssumedRole'
    AND regexp_like(user_identity_arn, ':assumed-role/[^/]+/i-[0-9a-f]+$')
    AND regexp_like(source_ip_address, '^[0-9]{1,3}(\.[0-9]{1,3}){3}$|:')
    AND NOT regexp_like(source_ip_address, '^(10\.|192\.168\.|172\.(1[6-9]|2[0-9]|3[01])\.|100\.(6[4-9]|[7-9][0-9]|1[01][0-9]|12[0-7])\.|127\.|f[cd][0-9a-f]{2}:|fe80:)')
)
SELECT
  min(event_time) AS event_time,
  min(event_name) AS event_name,
  CASE WHEN count(error_code) < count(*) THEN 'success' ELSE 'attempt' END AS outcome,
  user_identity_arn,
  instance_id,
  count(DISTINCT source_ip_address) AS public_ips,
  min(source_ip_address) AS source_ip_address,
  max(source_ip_address) AS other_source_ip_address,
  min(aws_region) AS aws_region,
  recipient_account_id,
  array_agg(event_id ORDER BY event_time, event_id) AS event_ids
FROM calls
GROUP BY user_identity_arn, instance_id, recipient_account_id
HAVING count(DISTINCT source_ip_address) >= 2
ORDER BY event_time, user_identity_arn
