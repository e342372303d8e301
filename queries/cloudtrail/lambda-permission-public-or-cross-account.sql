-- name: Lambda function or layer permission granted to everyone or an outside account
-- description: AddPermission on a function, or AddLayerVersionPermission on a layer, for principal "*" without a source ARN,
--   source account, organization or function URL restriction, or for a principal in an account other than this one
--   and those approved for sharing. Service principals restricted by a source ARN do not count.
-- tables: cloudtrail, detection_allowlist
-- params: from, to
-- severity: high
-- report: security
-- section: Persistence
-- schedule: cron(0 6 * * ? *)
-- kind: event
-- tactics: TA0003, TA0010
-- techniques: T1098, T1546
-- stratus: aws.persistence.lambda-backdoor-function
-- alert: true
-- runbook: Read the new statement with GetPolicy; remove it (RemovePermission) unless the caller is known, and review
--   invocations from outside.
-- actor: user_identity_arn
-- target: function_name
-- chart: event_name
SELECT
  event_time,
  event_name,
  CASE WHEN error_code IS NULL THEN 'success' ELSE 'attempt' END AS outcome,
  user_identity_arn,
  coalesce(json_extract_scalar(request_parameters, '$.functionName'), json_extract_scalar(request_parameters, '$.layerName')) AS function_name,
  json_extract_scalar(request_parameters, '$.principal') AS principal,
  source_ip_address,
  aws_region,
  recipient_account_id,
  error_code,
  event_id
FROM cloudtrail
WHERE dt BETWEEN ? AND ?
  AND event_source = 'lambda.amazonaws.com'
  AND (event_name LIKE 'AddPermission%' OR event_name LIKE 'AddLayerVersionPermission%')
  AND (
    (
      json_extract_scalar(request_parameters, '$.principal') = '*'
      AND json_extract_scalar(request_parameters, '$.sourceArn') IS NULL
      AND json_extract_scalar(request_parameters, '$.sourceAccount') IS NULL
      AND json_extract_scalar(request_parameters, '$.principalOrgID') IS NULL
      AND json_extract_scalar(request_parameters, '$.organizationId') IS NULL
    )
    OR EXISTS (
      SELECT 1
      FROM UNNEST(regexp_extract_all(coalesce(json_extract_scalar(request_parameters, '$.principal'), ''), '\b(\d{12})\b', 1)) AS a (account_id)
      WHERE account_id <> recipient_account_id
        AND account_id NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'account')
    )
  )
ORDER BY event_time, event_id
