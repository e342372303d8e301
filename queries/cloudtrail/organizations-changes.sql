-- name: AWS Organizations changes
-- description: Changes to the organization: accounts created, invited, moved, removed or leaving, organizational
--  units and policies created, changed, attached, detached or deleted, policy types enabled or disabled, handshakes
--  accepted, delegated administrators and trusted services changed, as CIS 4.15 asks. Attempts are shown too.
-- tables: cloudtrail
-- params: from, to
-- severity: medium
-- report: security
-- section: Defense Evasion
-- schedule: cron(0 6 * * ? *)
-- kind: event
-- tactics: TA0005
-- techniques: T1666
-- cis: 4.15
-- runbook: Check the change against a change request in the management account; revert policy or account moves that
--  were not planned.
-- actor: user_identity_arn
-- target: org_target
-- chart: event_name
SELECT
  event_time,
  event_name,
  CASE WHEN error_code IS NULL THEN 'success' ELSE 'attempt' END AS outcome,
  user_identity_arn,
  user_identity_type,
  coalesce(json_extract_scalar(request_parameters, '$.policyId'), json_extract_scalar(request_parameters, '$.accountId'), json_extract_scalar(request_parameters, '$.organizationalUnitId'), json_extract_scalar(request_parameters, '$.name'), json_extract_scalar(request_parameters, '$.servicePrincipal'), recipient_account_id) AS org_target,
  source_ip_address,
  aws_region,
  recipient_account_id,
  error_code,
  event_id
FROM cloudtrail
WHERE dt BETWEEN ? AND ?
  AND event_source = 'organizations.amazonaws.com'
  AND event_name IN ('AcceptHandshake', 'AttachPolicy', 'CreateAccount', 'CreateGovCloudAccount', 'CreateOrganizationalUnit', 'CreatePolicy', 'DeclineHandshake', 'DeleteOrganization', 'DeleteOrganizationalUnit', 'DeletePolicy', 'DeregisterDelegatedAdministrator', 'DetachPolicy', 'DisableAWSServiceAccess', 'DisablePolicyType', 'EnableAWSServiceAccess', 'EnableAllFeatures', 'EnablePolicyType', 'InviteAccountToOrganization', 'LeaveOrganization', 'MoveAccount', 'RegisterDelegatedAdministrator', 'RemoveAccountFromOrganization', 'UpdateOrganizationalUnit', 'UpdatePolicy')
  AND coalesce(user_identity_session_issuer_arn, '') NOT LIKE '%:role/aws-service-role/%'
ORDER BY event_time, event_id
