-- name: IAM Roles Anywhere trust anchor on a caller-supplied or outside CA
-- description: CreateTrustAnchor or UpdateTrustAnchor whose source is a CERTIFICATE_BUNDLE (a CA certificate the caller
--   uploaded) or an ACM Private CA in an account other than this one and those approved: whoever holds that CA's
--   key can mint certificates and obtain role credentials from anywhere.
-- tables: cloudtrail, detection_allowlist
-- params: from, to
-- severity: high
-- report: security
-- section: Persistence
-- schedule: cron(0 6 * * ? *)
-- kind: event
-- tactics: TA0003, TA0004
-- techniques: T1098, T1556
-- stratus: aws.persistence.rolesanywhere-create-trust-anchor
-- alert: true
-- runbook: Check the CA certificate and the profiles and roles that use the anchor; disable or delete the anchor unless
--   the CA is known.
-- actor: user_identity_arn
-- target: trust_anchor_name
-- chart: event_name
SELECT
  event_time,
  event_name,
  CASE WHEN error_code IS NULL THEN 'success' ELSE 'attempt' END AS outcome,
  user_identity_arn,
  coalesce(json_extract_scalar(request_parameters, '$.name'), json_extract_scalar(request_parameters, '$.trustAnchorId')) AS trust_anchor_name,
  json_extract_scalar(request_parameters, '$.source.sourceType') AS source_type,
  source_ip_address,
  aws_region,
  recipient_account_id,
  error_code,
  event_id
FROM cloudtrail
WHERE dt BETWEEN ? AND ?
  AND event_source = 'rolesanywhere.amazonaws.com'
  AND event_name IN ('CreateTrustAnchor', 'UpdateTrustAnchor')
  AND (
    json_extract_scalar(request_parameters, '$.source.sourceType') = 'CERTIFICATE_BUNDLE'
    OR EXISTS (
      SELECT 1
      FROM UNNEST(regexp_extract_all(coalesce(json_extract_scalar(request_parameters, '$.source.sourceData.acmPcaArn'), ''), ':(\d{12}):', 1)) AS a (account_id)
      WHERE account_id <> recipient_account_id
        AND account_id NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'account')
    )
  )
ORDER BY event_time, event_id
