-- name: EKS cluster-admin access granted through an access entry
-- description: AssociateAccessPolicy with AmazonEKSClusterAdminPolicy or AmazonEKSAdminPolicy, or CreateAccessEntry /
--   UpdateAccessEntry adding the system:masters group, by a principal other than CloudFormation or a
--   service-linked role: the principal becomes Kubernetes administrator without touching aws-auth.
-- tables: cloudtrail
-- params: from, to
-- severity: high
-- report: security
-- section: Lateral Movement
-- schedule: cron(0 6 * * ? *)
-- kind: event
-- tactics: TA0008, TA0004, TA0003
-- techniques: T1098, T1078.004
-- alert: true
-- runbook: Check the principal ARN given cluster access; disassociate the policy or delete the access entry unless the
--   grant is known.
-- actor: user_identity_arn
-- target: cluster_name, principal_arn
-- chart: event_name
SELECT
  event_time,
  event_name,
  CASE WHEN error_code IS NULL THEN 'success' ELSE 'attempt' END AS outcome,
  user_identity_arn,
  json_extract_scalar(request_parameters, '$.name') AS cluster_name,
  json_extract_scalar(request_parameters, '$.principalArn') AS principal_arn,
  json_extract_scalar(request_parameters, '$.policyArn') AS policy_arn,
  source_ip_address,
  aws_region,
  recipient_account_id,
  error_code,
  event_id
FROM cloudtrail
WHERE dt BETWEEN ? AND ?
  AND event_source = 'eks.amazonaws.com'
  AND (
    (
      event_name = 'AssociateAccessPolicy'
      AND regexp_like(json_extract_scalar(request_parameters, '$.policyArn'), '/(AmazonEKSClusterAdminPolicy|AmazonEKSAdminPolicy)$')
    )
    OR (
      event_name IN ('CreateAccessEntry', 'UpdateAccessEntry')
      AND regexp_like(coalesce(regexp_extract(request_parameters, '"kubernetesGroups"\s*:\s*(\[[^\]]*\])', 1), ''), '"system:masters"')
    )
  )
  AND coalesce(user_identity_invoked_by, '') <> 'cloudformation.amazonaws.com'
  AND coalesce(user_identity_session_issuer_arn, user_identity_arn, '') NOT LIKE '%/aws-service-role/%'
ORDER BY event_time, event_id
