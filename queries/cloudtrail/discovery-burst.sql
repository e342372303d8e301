-- name: One principal enumerating many services
-- description: One principal calling 20 or more distinct read APIs (List*, Describe*, Get* or read-only) across 3 or more
--   services in one clock hour, successes and attempts, outside the console and not by AWS services on its behalf
--   or service-linked roles: the sweep a stolen key or instance role makes to learn the account.
-- tables: cloudtrail
-- params: from, to
-- severity: medium
-- report: security
-- section: Discovery
-- schedule: cron(0 6 * * ? *)
-- kind: aggregate
-- tactics: TA0007
-- techniques: T1580, T1087.004, T1526
-- stratus: aws.discovery.ec2-enumerate-from-instance
-- runbook: Check whether the principal is a known inventory or security tool; if not, look at what it did next and
--   disable its credentials.
-- actor: user_identity_arn
-- target: distinct_apis, services
-- chart: user_identity_arn distinct_apis
WITH reads AS (
  SELECT
    event_time,
    event_id,
    event_name,
    event_source,
    error_code,
    user_identity_arn,
    source_ip_address,
    aws_region,
    recipient_account_id
  FROM cloudtrail
  WHERE dt BETWEEN ? AND ?
    AND (read_only = true OR regexp_like(event_name, '^(List|Describe|Get)'))
    AND user_identity_arn IS NOT NULL
    AND user_identity_invoked_by IS NULL
    AND coalesce(session_credential_from_console, false) = false
    AND coalesce(user_agent, '') NOT LIKE '%console.amazonaws.com%'
    AND coalesce(user_identity_session_issuer_arn, user_identity_arn, '') NOT LIKE '%/aws-service-role/%'
)
SELECT
  min(event_time) AS event_time,
  min(event_name) AS event_name,
  CASE WHEN count(error_code) < count(*) THEN 'success' ELSE 'attempt' END AS outcome,
  user_identity_arn,
  count(DISTINCT event_name) AS distinct_apis,
  count(DISTINCT event_source) AS services,
  count(error_code) AS failed_calls,
  min(source_ip_address) AS source_ip_address,
  min(aws_region) AS aws_region,
  recipient_account_id,
  array_agg(event_id ORDER BY event_time, event_id) AS event_ids
FROM reads
GROUP BY user_identity_arn, recipient_account_id, date_trunc('hour', event_time)
HAVING count(DISTINCT event_name) >= 20 AND count(DISTINCT event_source) >= 3
ORDER BY event_time, user_identity_arn
