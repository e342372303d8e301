-- name: IAM SAML or OIDC identity provider created or changed outside the approved list
-- description: CreateSAMLProvider, UpdateSAMLProvider, CreateOpenIDConnectProvider, UpdateOpenIDConnectProviderThumbprint or
--   AddClientIDToOpenIDConnectProvider for a provider that is not an approved identity provider, by a principal
--   other than CloudFormation: a new trusted IdP lets its owner sign in as any role that trusts it.
-- tables: cloudtrail, detection_allowlist
-- params: from, to
-- severity: high
-- report: security
-- section: Persistence
-- schedule: cron(0 6 * * ? *)
-- kind: event
-- tactics: TA0003, TA0004
-- techniques: T1484.002, T1556.007
-- alert: true
-- runbook: Check the provider's metadata or issuer URL and which roles trust it; delete the provider unless it belongs to
--   the organization's IdP.
-- actor: user_identity_arn
-- target: provider_arn
-- chart: event_name
SELECT
  event_time,
  event_name,
  CASE WHEN error_code IS NULL THEN 'success' ELSE 'attempt' END AS outcome,
  user_identity_arn,
  coalesce(json_extract_scalar(response_elements, '$.sAMLProviderArn'), json_extract_scalar(request_parameters, '$.sAMLProviderArn'), json_extract_scalar(response_elements, '$.openIDConnectProviderArn'), json_extract_scalar(request_parameters, '$.openIDConnectProviderArn'), json_extract_scalar(request_parameters, '$.url'), json_extract_scalar(request_parameters, '$.name')) AS provider_arn,
  source_ip_address,
  aws_region,
  recipient_account_id,
  error_code,
  event_id
FROM cloudtrail
WHERE dt BETWEEN ? AND ?
  AND event_source = 'iam.amazonaws.com'
  AND event_name IN ('CreateSAMLProvider', 'UpdateSAMLProvider', 'CreateOpenIDConnectProvider', 'UpdateOpenIDConnectProviderThumbprint', 'AddClientIDToOpenIDConnectProvider')
  AND coalesce(
    json_extract_scalar(response_elements, '$.sAMLProviderArn'),
    json_extract_scalar(request_parameters, '$.sAMLProviderArn'),
    json_extract_scalar(response_elements, '$.openIDConnectProviderArn'),
    json_extract_scalar(request_parameters, '$.openIDConnectProviderArn'),
    ''
  ) NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'saml_provider')
  AND coalesce(user_identity_invoked_by, '') <> 'cloudformation.amazonaws.com'
  AND coalesce(user_identity_session_issuer_arn, user_identity_arn, '') NOT LIKE '%/aws-service-role/%'
ORDER BY event_time, event_id
