-- name: CloudTrail event selectors narrowed to drop management events
-- description: PutEventSelectors that stops a trail logging all management events: a basic selector with
--  includeManagementEvents false, a readWriteType other than All, or excluded event sources (KMS, RDS Data), or
--  advanced selectors with no Management category or with a readOnly filter. Adding data events to a full management
--  selector is not a finding. Attempts are shown.
-- tables: cloudtrail, detection_allowlist
-- params: from, to
-- severity: critical
-- report: security
-- section: Defense Evasion
-- schedule: cron(0 6 * * ? *)
-- kind: event
-- tactics: TA0005
-- techniques: T1562.008
-- stratus: aws.defense-evasion.cloudtrail-event-selectors
-- runbook: Read the new selectors; restore readWriteType All with management events (PutEventSelectors) and check the
--  blind period.
-- actor: user_identity_arn
-- target: trail
-- chart: event_name
SELECT
  event_time,
  event_name,
  CASE WHEN error_code IS NULL THEN 'success' ELSE 'attempt' END AS outcome,
  user_identity_arn,
  user_identity_type,
  json_extract_scalar(request_parameters, '$.trailName') AS trail,
  source_ip_address,
  aws_region,
  recipient_account_id,
  error_code,
  event_id
FROM cloudtrail
WHERE dt BETWEEN ? AND ?
  AND event_source = 'cloudtrail.amazonaws.com'
  AND event_name = 'PutEventSelectors'
  AND (
    regexp_like(request_parameters, '"includeManagementEvents"\s*:\s*false|"readWriteType"\s*:\s*"(ReadOnly|WriteOnly)"|"excludeManagementEventSources"\s*:\s*\[\s*"')
    OR (
      json_extract(request_parameters, '$.advancedEventSelectors') IS NOT NULL
      AND (
        NOT regexp_like(request_parameters, '"equals"\s*:\s*\[\s*"Management"')
        OR regexp_like(request_parameters, '"field"\s*:\s*"readOnly"')
      )
    )
  )
  AND coalesce(user_identity_invoked_by, '') <> 'cloudformation.amazonaws.com'
  AND coalesce(user_identity_session_issuer_arn, '') NOT LIKE '%:role/aws-service-role/%'
  AND coalesce(user_identity_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
  AND coalesce(user_identity_session_issuer_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
ORDER BY event_time, event_id
