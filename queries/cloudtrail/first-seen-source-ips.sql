-- name: CloudTrail first-seen source IPs per principal
-- description: Source IPs a principal used in the period that it had not used in the 30 days before. Only
--   principals with history in those 30 days are scored, so a new lake or a new role does not flood the list.
--   Calls made by AWS services (amazonaws.com callers, AWS Internal, invokedBy) are left out.
-- tables: cloudtrail
-- params: from, to, from, from
-- severity: medium
-- report: security
-- section: Initial Access
-- schedule: cron(0 6 * * ? *)
-- kind: aggregate
-- tactics: TA0001
-- techniques: T1078.004
-- runbook: Ask the principal's owner whether the new IP is theirs (travel, new office, VPN); if not, revoke the
--   credentials and review the calls made from it.
-- actor: user_identity_arn
-- target: source_ip_address
-- chart: user_identity_arn calls
WITH calls AS (
  SELECT
    coalesce(user_identity_arn, user_identity_principal_id) AS principal,
    source_ip_address,
    dt,
    event_time,
    event_name,
    event_id,
    error_code,
    aws_region,
    recipient_account_id
  FROM cloudtrail
  WHERE dt BETWEEN CAST(date_add('day', -30, CAST(? AS date)) AS varchar) AND ?
    AND coalesce(user_identity_arn, user_identity_principal_id, '') <> ''
    AND source_ip_address IS NOT NULL
    AND user_identity_invoked_by IS NULL
    AND NOT regexp_like(source_ip_address, '(?i)(amazonaws\.com$|^AWS Internal$)')
),
history AS (
  SELECT DISTINCT principal, source_ip_address FROM calls WHERE dt < ?
),
known AS (
  SELECT DISTINCT principal FROM history
),
recent AS (
  SELECT
    principal,
    source_ip_address,
    count(*) AS calls,
    count(DISTINCT event_name) AS distinct_apis,
    min(event_time) AS first_seen,
    max(event_time) AS last_seen,
    min(event_name) AS event_name,
    CASE WHEN count(*) FILTER (WHERE error_code IS NULL) > 0 THEN 'success' ELSE 'attempt' END AS outcome,
    min(aws_region) AS aws_region,
    min(recipient_account_id) AS recipient_account_id,
    array_agg(event_id ORDER BY event_time, event_id) AS event_ids
  FROM calls
  WHERE dt >= ?
  GROUP BY principal, source_ip_address
)
SELECT
  r.first_seen AS event_time,
  r.event_name,
  r.outcome,
  r.principal AS user_identity_arn,
  r.source_ip_address,
  r.aws_region,
  r.recipient_account_id,
  r.calls,
  r.distinct_apis,
  r.first_seen,
  r.last_seen,
  r.event_ids
FROM recent r
JOIN known k ON k.principal = r.principal
LEFT JOIN history h ON h.principal = r.principal AND h.source_ip_address = r.source_ip_address
WHERE h.principal IS NULL
ORDER BY event_time, user_identity_arn, r.source_ip_address
