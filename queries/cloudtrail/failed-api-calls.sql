-- name: CloudTrail failed API calls
-- description: API calls that returned an error, per principal, API and error code, most frequent first
--   (top 200). Context for the bursts and anomalies above: misconfigured automation shows up here too.
-- tables: cloudtrail
-- params: from, to
-- severity: low
-- report: security
-- section: Discovery
-- schedule: cron(0 6 * * ? *)
-- kind: aggregate
-- tactics: TA0007
-- techniques: T1526
-- cis: 4.1
-- runbook: Group by principal: automation that fails the same way needs its permissions fixed; a person or key
--   failing across many APIs is probing and is checked as an AccessDenied burst.
-- actor: user_identity_arn
-- target: event_source
-- chart: event_name calls
SELECT
  min(event_time) AS event_time,
  event_name,
  'attempt' AS outcome,
  coalesce(user_identity_arn, user_identity_principal_id, user_identity_type) AS user_identity_arn,
  event_source,
  error_code,
  count(*) AS calls,
  min(source_ip_address) AS source_ip_address,
  min(aws_region) AS aws_region,
  min(recipient_account_id) AS recipient_account_id,
  min(event_time) AS first_seen,
  max(event_time) AS last_seen,
  array_agg(event_id ORDER BY event_time, event_id) AS event_ids
FROM cloudtrail
WHERE dt BETWEEN ? AND ?
  AND error_code IS NOT NULL
GROUP BY coalesce(user_identity_arn, user_identity_principal_id, user_identity_type), event_source, event_name, error_code
ORDER BY calls DESC, user_identity_arn, event_source, event_name, error_code
LIMIT 200
