-- name: Amazon SES sending capability enumerated
-- description: One principal calling 3 or more distinct SES read APIs (sending quota, sending enabled, identities,
--   verification status, account details) in one clock hour, successes and attempts: spammers check whether a
--   stolen key can send mail.
-- tables: cloudtrail
-- params: from, to
-- severity: medium
-- report: security
-- section: Discovery
-- schedule: cron(0 6 * * ? *)
-- kind: aggregate
-- tactics: TA0007
-- techniques: T1580, T1526
-- stratus: aws.discovery.ses-enumerate
-- runbook: Check whether the principal sends mail for an application; if not, disable its credentials and check SES for
--   new identities or sending.
-- actor: user_identity_arn
-- target: distinct_apis
-- chart: user_identity_arn distinct_apis
WITH reads AS (
  SELECT event_time, event_id, event_name, error_code, user_identity_arn, source_ip_address, aws_region, recipient_account_id
  FROM cloudtrail
  WHERE dt BETWEEN ? AND ?
    AND event_source = 'ses.amazonaws.com'
    AND event_name IN (
      'GetAccountSendingEnabled', 'GetSendQuota', 'GetSendStatistics', 'ListIdentities', 'GetIdentityVerificationAttributes',
      'GetIdentityDkimAttributes', 'ListEmailIdentities', 'GetEmailIdentity', 'GetAccount', 'ListVerifiedEmailAddresses',
      'DescribeActiveReceiptRuleSet', 'ListConfigurationSets'
    )
    AND user_identity_arn IS NOT NULL
)
SELECT
  min(event_time) AS event_time,
  min(event_name) AS event_name,
  CASE WHEN count(error_code) < count(*) THEN 'success' ELSE 'attempt' END AS outcome,
  user_identity_arn,
  count(DISTINCT event_name) AS distinct_apis,
  min(source_ip_address) AS source_ip_address,
  min(aws_region) AS aws_region,
  recipient_account_id,
  array_agg(event_id ORDER BY event_time, event_id) AS event_ids
FROM reads
GROUP BY user_identity_arn, recipient_account_id, date_trunc('hour', event_time)
HAVING count(DISTINCT event_name) >= 3
ORDER BY event_time, user_identity_arn
