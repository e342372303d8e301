-- name: App privilege changes
-- description: Role, permission, privilege, admin, group and policy changes logged by the application
--   (actions such as role.grant or permission.revoke), with the acting user and the target from the event.
-- tables: app_events
-- params: from, to
-- severity: high
-- report: security
-- section: Privilege Escalation
-- schedule: cron(0 6 * * ? *)
-- kind: event
-- tactics: TA0004, TA0003
-- techniques: T1098
-- runbook: Confirm the change with the actor's team and the target's owner; revert the role or permission if it was
--   not approved.
-- actor: actor
-- target: target
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
