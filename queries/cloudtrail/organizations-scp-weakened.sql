-- name: Service control policies detached, deleted or disabled
-- description: Guardrails removed from the organization: a policy detached or deleted, or the SERVICE_CONTROL_POLICY
--  type disabled on a root. Detaching p-FullAWSAccess only narrows permissions and is left out, as are attaching and
--  enabling policies, other policy types (tag, backup, AI opt-out) and CloudFormation deploys.
-- tables: cloudtrail, detection_allowlist
-- params: from, to
-- severity: high
-- report: security
-- section: Defense Evasion
-- schedule: cron(0 6 * * ? *)
-- kind: event
-- tactics: TA0005
-- techniques: T1666, T1562.001
-- cis: 4.15
-- runbook: Check which guardrail was removed and from which OU or account; reattach the policy (AttachPolicy) or
--  re-enable the policy type.
-- actor: user_identity_arn
-- target: policy_id, target_id
-- chart: event_name
SELECT
  event_time,
  event_name,
  CASE WHEN error_code IS NULL THEN 'success' ELSE 'attempt' END AS outcome,
  user_identity_arn,
  user_identity_type,
  coalesce(json_extract_scalar(request_parameters, '$.policyId'), json_extract_scalar(request_parameters, '$.policyType')) AS policy_id,
  coalesce(json_extract_scalar(request_parameters, '$.targetId'), json_extract_scalar(request_parameters, '$.rootId')) AS target_id,
  source_ip_address,
  aws_region,
  recipient_account_id,
  error_code,
  event_id
FROM cloudtrail
WHERE dt BETWEEN ? AND ?
  AND event_source = 'organizations.amazonaws.com'
  AND event_name IN ('DetachPolicy', 'DeletePolicy', 'DisablePolicyType')
  AND coalesce(json_extract_scalar(request_parameters, '$.policyId'), '') <> 'p-FullAWSAccess'
  AND (event_name <> 'DisablePolicyType' OR json_extract_scalar(request_parameters, '$.policyType') = 'SERVICE_CONTROL_POLICY')
  AND coalesce(user_identity_invoked_by, '') <> 'cloudformation.amazonaws.com'
  AND coalesce(user_identity_session_issuer_arn, '') NOT LIKE '%:role/aws-service-role/%'
  AND coalesce(user_identity_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
  AND coalesce(user_identity_session_issuer_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
ORDER BY event_time, event_id
