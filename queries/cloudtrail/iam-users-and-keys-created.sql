-- name: CloudTrail IAM users, login profiles and access keys created
-- description: Successful creation of IAM users, console passwords (login profiles) and access keys. An
--   attacker with IAM rights creates these to keep access after the first foothold is closed.
-- tables: cloudtrail
-- params: from, to
-- severity: medium
-- report: security
-- section: CloudTrail
-- schedule: cron(0 6 * * ? *)
SELECT
  event_time,
  event_name,
  coalesce(user_identity_arn, user_identity_principal_id, user_identity_type) AS principal,
  coalesce(
    json_extract_scalar(request_parameters, '$.userName'),
    json_extract_scalar(response_elements, '$.accessKey.userName'),
    json_extract_scalar(response_elements, '$.user.userName')
  ) AS target_user,
  json_extract_scalar(response_elements, '$.accessKey.accessKeyId') AS access_key_id,
  source_ip_address,
  event_id
FROM cloudtrail
WHERE dt BETWEEN ? AND ?
  AND event_source = 'iam.amazonaws.com'
  AND error_code IS NULL
  AND event_name IN ('CreateUser', 'CreateLoginProfile', 'UpdateLoginProfile', 'CreateAccessKey')
ORDER BY event_time, event_id
