-- name: IAM access key created for another user
-- description: CreateAccessKey naming a user other than the caller (or called by a role or root on behalf of a user): the
--   caller gets long-term credentials of someone else. A user creating their own key, CloudFormation and
--   service-linked roles do not count.
-- tables: cloudtrail
-- params: from, to
-- severity: high
-- report: security
-- section: Persistence
-- schedule: cron(0 6 * * ? *)
-- kind: event
-- tactics: TA0003, TA0004
-- techniques: T1098.001
-- stratus: aws.persistence.iam-backdoor-user
-- runbook: Check that the key owner asked for it; if not, deactivate and delete the key (UpdateAccessKey,
--   DeleteAccessKey) and review its use.
-- actor: user_identity_arn
-- target: user_name
-- chart: event_name
SELECT
  event_time,
  event_name,
  CASE WHEN error_code IS NULL THEN 'success' ELSE 'attempt' END AS outcome,
  user_identity_arn,
  json_extract_scalar(request_parameters, '$.userName') AS user_name,
  source_ip_address,
  aws_region,
  recipient_account_id,
  error_code,
  event_id
FROM cloudtrail
WHERE dt BETWEEN ? AND ?
  AND event_source = 'iam.amazonaws.com'
  AND event_name = 'CreateAccessKey'
  AND json_extract_scalar(request_parameters, '$.userName') IS NOT NULL
  AND (
    coalesce(user_identity_type, '') <> 'IAMUser'
    OR json_extract_scalar(request_parameters, '$.userName') <> coalesce(user_identity_user_name, '')
  )
  AND coalesce(user_identity_invoked_by, '') <> 'cloudformation.amazonaws.com'
  AND coalesce(user_identity_session_issuer_arn, user_identity_arn, '') NOT LIKE '%/aws-service-role/%'
ORDER BY event_time, event_id
