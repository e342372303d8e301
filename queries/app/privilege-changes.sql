-- name: App privilege changes
-- description: Role, permission, privilege, admin, group and policy changes logged by the application
--   (actions such as role.grant or permission.revoke), with the acting user and the target from the event.
-- tables: app_events
-- params: from, to
-- severity: high
-- report: security
-- section: Application
-- schedule: cron(0 6 * * ? *)
-- chart: action
SELECT
  event_time,
  user_id AS actor,
  action,
  coalesce(
    json_extract_scalar(attributes, '$.target_user'),
    json_extract_scalar(attributes, '$.target_user_id'),
    json_extract_scalar(attributes, '$.target')
  ) AS target,
  json_extract_scalar(attributes, '$.role') AS role,
  result,
  ip_address,
  request_id
FROM app_events
WHERE dt BETWEEN ? AND ?
  AND regexp_like(lower(coalesce(action, '')), '^(role|permission|privilege|admin|group|policy)s?[._:-]')
ORDER BY event_time, request_id
