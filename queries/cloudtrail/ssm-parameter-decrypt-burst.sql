-- name: Many SSM SecureString parameters decrypted by one principal
-- description: One principal reading 10 or more distinct parameters with decryption (GetParameter, GetParameters,
--   GetParameterHistory) or decrypting 3 or more distinct paths with GetParametersByPath in one clock hour,
--   successes and attempts. An application re-reading its own few parameters, however often, does not count.
-- tables: cloudtrail
-- params: from, to
-- severity: high
-- report: security
-- section: Credential Access
-- schedule: cron(0 6 * * ? *)
-- kind: aggregate
-- tactics: TA0006
-- techniques: T1552, T1555
-- stratus: aws.credential-access.ssm-retrieve-securestring-parameters
-- runbook: Check whether the principal is an application that reads these parameters; if not, disable its credentials and
--   rotate the values.
-- actor: user_identity_arn
-- target: first_parameter
-- chart: user_identity_arn parameters_read
WITH reads AS (
  SELECT
    event_time,
    event_id,
    event_name,
    error_code,
    user_identity_arn,
    source_ip_address,
    aws_region,
    recipient_account_id,
    CASE
      WHEN event_name = 'GetParameters'
        THEN regexp_extract_all(regexp_extract(request_parameters, '"names"\s*:\s*\[([^\]]*)\]', 1), '"([^"]*)"', 1)
      ELSE ARRAY[coalesce(json_extract_scalar(request_parameters, '$.name'), json_extract_scalar(request_parameters, '$.path'))]
    END AS parameters
  FROM cloudtrail
  WHERE dt BETWEEN ? AND ?
    AND event_source = 'ssm.amazonaws.com'
    AND event_name IN ('GetParameter', 'GetParameters', 'GetParametersByPath', 'GetParameterHistory')
    AND json_extract_scalar(request_parameters, '$.withDecryption') = 'true'
    AND user_identity_arn IS NOT NULL
),
per_parameter AS (
  SELECT reads.*, p.parameter
  FROM reads
  CROSS JOIN UNNEST(reads.parameters) AS p (parameter)
)
SELECT
  min(event_time) AS event_time,
  min(event_name) AS event_name,
  CASE WHEN count(error_code) < count(*) THEN 'success' ELSE 'attempt' END AS outcome,
  user_identity_arn,
  count(DISTINCT CASE WHEN event_name <> 'GetParametersByPath' THEN parameter END) AS parameters_read,
  count(DISTINCT CASE WHEN event_name = 'GetParametersByPath' THEN parameter END) AS paths_read,
  min(parameter) AS first_parameter,
  min(source_ip_address) AS source_ip_address,
  min(aws_region) AS aws_region,
  recipient_account_id,
  array_sort(array_agg(DISTINCT event_id)) AS event_ids
FROM per_parameter
GROUP BY user_identity_arn, recipient_account_id, date_trunc('hour', event_time)
HAVING count(DISTINCT CASE WHEN event_name <> 'GetParametersByPath' THEN parameter END) >= 10
  OR count(DISTINCT CASE WHEN event_name = 'GetParametersByPath' THEN parameter END) >= 3
ORDER BY event_time, user_identity_arn
