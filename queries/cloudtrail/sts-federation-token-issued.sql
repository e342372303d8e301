-- name: Temporary credentials minted with GetFederationToken
-- description: GetFederationToken by an IAM user, successes and attempts, other than approved principals: the federated
--   session lives up to 36 hours and survives deleting the user's access key, a known way to keep access.
-- tables: cloudtrail, detection_allowlist
-- params: from, to
-- severity: medium
-- report: security
-- section: Persistence
-- schedule: cron(0 6 * * ? *)
-- kind: event
-- tactics: TA0003, TA0005
-- techniques: T1550.001, T1078.004
-- stratus: aws.persistence.sts-federation-token
-- runbook: Check who minted the token and from where; deleting the key does not end the session: attach a deny-all policy
--   with an aws:TokenIssueTime condition to the user to revoke it.
-- actor: user_identity_arn
-- target: federated_user
-- chart: event_name
SELECT
  event_time,
  event_name,
  CASE WHEN error_code IS NULL THEN 'success' ELSE 'attempt' END AS outcome,
  user_identity_arn,
  coalesce(json_extract_scalar(response_elements, '$.federatedUser.arn'), json_extract_scalar(request_parameters, '$.name')) AS federated_user,
  user_identity_access_key_id,
  source_ip_address,
  aws_region,
  recipient_account_id,
  error_code,
  event_id
FROM cloudtrail
WHERE dt BETWEEN ? AND ?
  AND event_source = 'sts.amazonaws.com'
  AND event_name = 'GetFederationToken'
  AND coalesce(user_identity_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
  AND coalesce(user_identity_session_issuer_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
ORDER BY event_time, event_id
