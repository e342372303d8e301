-- name: IAM user created and given administrator rights
-- description: CreateUser followed, in the same period, by an admin-equivalent grant to the same user: AdministratorAccess,
--   IAMFullAccess or PowerUserAccess attached, or an inline policy allowing "*" or "iam:*" on "*".
-- tables: cloudtrail
-- params: from, to, from, to
-- severity: critical
-- report: security
-- section: Persistence
-- schedule: cron(0 6 * * ? *)
-- kind: aggregate
-- tactics: TA0003, TA0004
-- techniques: T1136.003, T1098
-- stratus: aws.persistence.iam-create-admin-user
-- alert: true
-- runbook: Check who created the user and why; if unapproved, delete its access keys and login profile, detach the
--   policies and delete the user.
-- actor: user_identity_arn
-- target: user_name
-- chart: event_name
WITH created AS (
  SELECT event_time, event_id, event_name, error_code, user_identity_arn, source_ip_address, aws_region, recipient_account_id,
    json_extract_scalar(request_parameters, '$.userName') AS user_name
  FROM cloudtrail
  WHERE dt BETWEEN ? AND ?
    AND event_source = 'iam.amazonaws.com'
    AND event_name = 'CreateUser'
    AND error_code IS NULL
),
granted AS (
  SELECT event_time, event_id, error_code, recipient_account_id, json_extract_scalar(request_parameters, '$.userName') AS user_name
  FROM cloudtrail
  WHERE dt BETWEEN ? AND ?
    AND event_source = 'iam.amazonaws.com'
    AND event_name IN ('AttachUserPolicy', 'PutUserPolicy')
    AND (
      json_extract_scalar(request_parameters, '$.policyArn') IN (
        'arn:aws:iam::aws:policy/AdministratorAccess', 'arn:aws:iam::aws:policy/IAMFullAccess', 'arn:aws:iam::aws:policy/PowerUserAccess'
      )
      OR (
        event_name = 'PutUserPolicy'
        AND regexp_like(json_extract_scalar(request_parameters, '$.policyDocument'), '"Effect"\s*:\s*"Allow"')
        AND regexp_like(json_extract_scalar(request_parameters, '$.policyDocument'), '"Action"\s*:\s*(\[[^\]]*)?"(\*|iam:\*)"')
        AND regexp_like(json_extract_scalar(request_parameters, '$.policyDocument'), '"Resource"\s*:\s*(\[[^\]]*)?"\*"')
      )
    )
)
SELECT
  c.event_time,
  c.event_name,
  CASE WHEN count(g.error_code) < count(*) THEN 'success' ELSE 'attempt' END AS outcome,
  c.user_identity_arn,
  c.user_name,
  c.source_ip_address,
  c.aws_region,
  c.recipient_account_id,
  array_agg(g.event_id ORDER BY g.event_time, g.event_id) || ARRAY[c.event_id] AS event_ids
FROM created AS c
JOIN granted AS g ON g.user_name = c.user_name AND g.recipient_account_id = c.recipient_account_id AND g.event_time >= c.event_time
GROUP BY c.event_time, c.event_id, c.event_name, c.user_identity_arn, c.user_name, c.source_ip_address, c.aws_region, c.recipient_account_id
ORDER BY c.event_time, c.user_name
