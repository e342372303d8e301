-- name: KMS grant to a principal in an outside account
-- description: CreateGrant whose grantee principal belongs to an account other than this one and those approved for sharing:
--   the grantee can use the key without any change to the key policy.
-- tables: cloudtrail, detection_allowlist
-- params: from, to
-- severity: high
-- report: security
-- section: Exfiltration
-- schedule: cron(0 6 * * ? *)
-- kind: event
-- tactics: TA0010, TA0003
-- techniques: T1098, T1537
-- alert: true
-- runbook: Check the grantee and the operations granted; retire or revoke the grant (RetireGrant/RevokeGrant) unless the
--   account is a known partner.
-- actor: user_identity_arn
-- target: key_id, grantee_principal
-- chart: event_name
SELECT
  event_time,
  event_name,
  CASE WHEN error_code IS NULL THEN 'success' ELSE 'attempt' END AS outcome,
  user_identity_arn,
  json_extract_scalar(request_parameters, '$.keyId') AS key_id,
  json_extract_scalar(request_parameters, '$.granteePrincipal') AS grantee_principal,
  source_ip_address,
  aws_region,
  recipient_account_id,
  error_code,
  event_id
FROM cloudtrail
WHERE dt BETWEEN ? AND ?
  AND event_source = 'kms.amazonaws.com'
  AND event_name = 'CreateGrant'
  AND EXISTS (
    SELECT 1
    FROM UNNEST(regexp_extract_all(coalesce(json_extract_scalar(request_parameters, '$.granteePrincipal'), ''), '\b(\d{12})\b', 1)) AS a (account_id)
    WHERE account_id <> recipient_account_id
      AND account_id NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'account')
  )
ORDER BY event_time, event_id
