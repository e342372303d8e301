-- name: CloudTrail console login without MFA
-- description: Successful console sign-ins of IAM users and root that did not use MFA. Federated and SSO
--   sign-ins are left out because their MFA happens at the identity provider.
-- tables: cloudtrail
-- params: from, to
-- severity: medium
-- report: security
-- section: CloudTrail
-- schedule: cron(0 6 * * ? *)
SELECT
  event_time,
  coalesce(user_identity_arn, user_identity_user_name) AS principal,
  user_identity_type,
  source_ip_address,
  user_agent,
  event_id
FROM cloudtrail
WHERE dt BETWEEN ? AND ?
  AND event_name = 'ConsoleLogin'
  AND user_identity_type IN ('IAMUser', 'Root')
  AND json_extract_scalar(response_elements, '$.ConsoleLogin') = 'Success'
  AND json_extract_scalar(additional_event_data, '$.MFAUsed') = 'No'
ORDER BY event_time, event_id
