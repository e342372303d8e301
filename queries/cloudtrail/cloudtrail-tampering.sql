-- name: CloudTrail tampering
-- description: Calls that stop, delete or narrow CloudTrail logging (StopLogging, DeleteTrail, UpdateTrail,
--   PutEventSelectors), successful or not: a denied call is shown as an attempt, since it still shows intent.
--   Changes CloudFormation makes are left out.
-- tables: cloudtrail
-- params: from, to
-- severity: critical
-- report: security
-- section: Defense Evasion
-- schedule: cron(0 6 * * ? *)
-- kind: event
-- tactics: TA0005
-- techniques: T1562.008
-- cis: 4.5
-- stratus: aws.defense-evasion.cloudtrail-stop, aws.defense-evasion.cloudtrail-delete, aws.defense-evasion.cloudtrail-event-selectors
-- alert: true
-- runbook: Ask the actor why the trail changed; restart logging (StartLogging) or restore the trail and its
--   event selectors, and review what happened while it was off.
-- actor: user_identity_arn
-- target: trail
-- chart: event_name
SELECT
  event_time,
  event_name,
  CASE WHEN error_code IS NULL THEN 'success' ELSE 'attempt' END AS outcome,
  coalesce(
    json_extract_scalar(request_parameters, '$.name'),
    json_extract_scalar(request_parameters, '$.trailName')
  ) AS trail,
  coalesce(user_identity_arn, user_identity_principal_id, user_identity_type) AS user_identity_arn,
  source_ip_address,
  aws_region,
  recipient_account_id,
  error_code,
  event_id
FROM cloudtrail
WHERE dt BETWEEN ? AND ?
  AND event_source = 'cloudtrail.amazonaws.com'
  AND event_name IN ('StopLogging', 'DeleteTrail', 'UpdateTrail', 'PutEventSelectors')
  AND coalesce(user_identity_invoked_by, '') <> 'cloudformation.amazonaws.com'
ORDER BY event_time, event_id
