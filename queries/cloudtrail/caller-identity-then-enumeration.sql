-- name: Credentials checked with GetCallerIdentity, then used to enumerate
-- description: GetCallerIdentity followed within an hour, by the same principal from the same IP, by 10 or more distinct read
--   APIs across 2 or more services: the usual first minutes of someone trying found or stolen credentials.
-- tables: cloudtrail
-- params: from, to, from, to
-- severity: medium
-- report: security
-- section: Discovery
-- schedule: cron(0 6 * * ? *)
-- kind: aggregate
-- tactics: TA0007
-- techniques: T1087.004, T1580
-- runbook: Check where the credentials came from and whether the IP belongs to the owner; if not, disable them and review
--   every call from that IP.
-- actor: user_identity_arn
-- target: distinct_apis
-- chart: user_identity_arn distinct_apis
WITH checks AS (
  SELECT event_time, event_id, event_name, error_code, user_identity_arn, source_ip_address, aws_region, recipient_account_id
  FROM cloudtrail
  WHERE dt BETWEEN ? AND ?
    AND event_source = 'sts.amazonaws.com'
    AND event_name = 'GetCallerIdentity'
    AND user_identity_arn IS NOT NULL
    AND user_identity_invoked_by IS NULL
),
reads AS (
  SELECT event_time, event_id, event_name, event_source, error_code, user_identity_arn, source_ip_address
  FROM cloudtrail
  WHERE dt BETWEEN ? AND ?
    AND (read_only = true OR regexp_like(event_name, '^(List|Describe|Get)'))
    AND event_name <> 'GetCallerIdentity'
    AND user_identity_arn IS NOT NULL
)
SELECT
  c.event_time,
  c.event_name,
  CASE WHEN count(r.error_code) < count(*) THEN 'success' ELSE 'attempt' END AS outcome,
  c.user_identity_arn,
  count(DISTINCT r.event_name) AS distinct_apis,
  count(DISTINCT r.event_source) AS services,
  c.source_ip_address,
  c.aws_region,
  c.recipient_account_id,
  array_agg(r.event_id ORDER BY r.event_time, r.event_id) || ARRAY[c.event_id] AS event_ids
FROM checks AS c
JOIN reads AS r
  ON r.user_identity_arn = c.user_identity_arn
  AND r.source_ip_address = c.source_ip_address
  AND r.event_time >= c.event_time
  AND r.event_time <= c.event_time + INTERVAL '1' HOUR
GROUP BY c.event_time, c.event_id, c.event_name, c.user_identity_arn, c.source_ip_address, c.aws_region, c.recipient_account_id
HAVING count(DISTINCT r.event_name) >= 10 AND count(DISTINCT r.event_source) >= 2
ORDER BY c.event_time, c.user_identity_arn
