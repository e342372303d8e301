-- name: EC2 instances of GPU, accelerator or very large types launched
-- description: RunInstances, successes and attempts (UnauthorizedOperation, VcpuLimitExceeded), for GPU, machine-learning
--   accelerator, FPGA, memory-optimised high-end or 24xlarge-and-bigger types, by a principal that is not
--   approved, not CloudFormation and not a service-linked role (Auto Scaling, Batch, EKS): the typical
--   cryptomining launch.
-- tables: cloudtrail, detection_allowlist
-- params: from, to
-- severity: high
-- report: security
-- section: Execution
-- schedule: cron(0 6 * * ? *)
-- kind: event
-- tactics: TA0002, TA0040
-- techniques: T1496, T1578.002
-- stratus: aws.execution.ec2-launch-unusual-instances
-- runbook: Check who launched the instances and whether the workload is known; terminate unknown instances and disable
--   the caller's credentials.
-- actor: user_identity_arn
-- target: instance_type
-- chart: event_name
SELECT
  event_time,
  event_name,
  CASE WHEN error_code IS NULL THEN 'success' ELSE 'attempt' END AS outcome,
  user_identity_arn,
  json_extract_scalar(request_parameters, '$.instanceType') AS instance_type,
  json_extract_scalar(request_parameters, '$.instancesSet.items[0].maxCount') AS max_count,
  source_ip_address,
  aws_region,
  recipient_account_id,
  error_code,
  event_id
FROM cloudtrail
WHERE dt BETWEEN ? AND ?
  AND event_source = 'ec2.amazonaws.com'
  AND event_name = 'RunInstances'
  AND regexp_like(lower(coalesce(json_extract_scalar(request_parameters, '$.instanceType'), '')), '^(p[0-9]|g[0-9]|gr[0-9]|inf[0-9]|trn[0-9]|dl[0-9]|f[0-9]|vt[0-9]|x[0-9]|u-|hpc[0-9])|\.(metal|(2[4-9]|[3-9][0-9])xlarge)')
  AND coalesce(user_identity_invoked_by, '') <> 'cloudformation.amazonaws.com'
  AND coalesce(user_identity_session_issuer_arn, user_identity_arn, '') NOT LIKE '%/aws-service-role/%'
  AND coalesce(user_identity_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
  AND coalesce(user_identity_session_issuer_arn, '') NOT IN (SELECT value FROM detection_allowlist WHERE kind = 'principal')
ORDER BY event_time, event_id
