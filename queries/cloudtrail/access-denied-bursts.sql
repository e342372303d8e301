-- name: CloudTrail AccessDenied bursts
-- description: Principals with 5 or more AccessDenied, UnauthorizedOperation or other authorization errors in one
--   hour. Stolen credentials are typically tried against many APIs to learn what they may do; distinct_apis shows
--   the spread.
-- tables: cloudtrail
-- params: from, to
-- severity: medium
-- report: security
-- section: Discovery
-- schedule: cron(0 6 * * ? *)
-- kind: aggregate
-- tactics: TA0007
-- techniques: T1580, T1087.004
-- cis: 4.1
-- stratus: aws.discovery.ec2-enumerate-from-instance
-- runbook: Find out whose credentials these are and whether the caller's IP is theirs; if not, deactivate the
--   access key or revoke the role's sessions.
-- actor: user_identity_arn
-- target: recipient_account_id
-- chart: user_identity_arn denied_calls
WITH denied AS (
  SELECT
    coalesce(user_identity_arn, user_identity_principal_id, user_identity_type) AS user_identity_arn,
    date_trunc('hour', event_time) AS hour_start,
    event_name,
    event_id,
    source_ip_address,
    aws_region,
    recipient_account_id,
    event_time
  FROM cloudtrail
  WHERE dt BETWEEN ? AND ?
    AND (
      error_code LIKE '%AccessDenied%'
      OR error_code LIKE '%UnauthorizedOperation%'
      OR error_code IN ('UnauthorizedAccess', 'AuthorizationError', 'AuthorizationErrorException', 'Forbidden')
    )
)
SELECT
  min(event_time) AS event_time,
  min(event_name) AS event_name,
  'attempt' AS outcome,
  user_identity_arn,
  hour_start,
  count(*) AS denied_calls,
  count(DISTINCT event_name) AS distinct_apis,
  count(DISTINCT source_ip_address) AS source_ips,
  min(source_ip_address) AS source_ip_address,
  min(aws_region) AS aws_region,
  min(recipient_account_id) AS recipient_account_id,
  min(event_time) AS first_seen,
  max(event_time) AS last_seen,
  array_agg(event_id ORDER BY event_time, event_id) AS event_ids
FROM denied
GROUP BY user_identity_arn, hour_start
HAVING count(*) >= 5
ORDER BY event_time, user_identity_arn
